/// One node of a composed YAML document: a scalar, a list or a mapping, and where it starts in the file.
///
/// Plain data, built by ``YAMLEventReader``: an alias is already the node its anchor names, and a
/// mapping holds only the first of a repeated key (the others are in ``duplicateKeys``, so the
/// reader can report them where their path is known).
struct YAMLNode: Equatable, Sendable {
    enum Content: Equatable, Sendable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([Pair])
    }

    /// How a scalar was written; only a plain one can mean null (`~`, `null`), `"null"` is text.
    enum ScalarStyle: Equatable, Sendable {
        case plain
        case singleQuoted
        case doubleQuoted
        /// `|`
        case literal
        /// `>`
        case folded
    }

    struct Pair: Equatable, Sendable {
        var key: YAMLNode
        var value: YAMLNode
    }

    var content: Content
    /// The tag as written (`!!str` gives `tag:yaml.org,2002:str`); nil when the node has none.
    var tag: String?
    /// 1-based line of the node's first character.
    var line: Int
    /// 1-based column of the node's first character, in Unicode scalars.
    var column: Int
    /// Keys of this mapping that repeat an earlier one, left out of its pairs.
    var duplicateKeys: [YAMLDuplicateKey] = []

    /// The text of a scalar; nil for a list or a mapping.
    var scalar: String? {
        if case .scalar(let s, _) = content { return s }
        return nil
    }

    /// The items of a list; nil for anything else.
    var items: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The key-value pairs of a mapping, in file order; nil for anything else.
    var pairs: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    var isScalar: Bool { scalar != nil }
    var isSequence: Bool { items != nil }
    var isMapping: Bool { pairs != nil }

    /// YAML 1.1's null: an empty, `~` or `null` plain scalar; quoted, `"null"` is text.
    var isNull: Bool {
        guard case .scalar(let s, .plain) = content else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s)
    }

    /// How the node looks, for "expected X, found Y".
    var kindName: String {
        switch content {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let s, _): isNull ? "nothing" : "'\(s)'"
        }
    }
}

/// A mapping key written a second time; the mapping keeps the first.
struct YAMLDuplicateKey: Equatable, Hashable, Sendable {
    var key: String
    /// Where the first occurrence starts.
    var firstLine: Int
    /// Where this, the repeated, occurrence starts.
    var line: Int
    var column: Int

    var message: String { "'\(key)' appears twice (first on line \(firstLine)); keys must be unique" }
}
