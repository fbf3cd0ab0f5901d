/// Builds a ``YAMLNode`` tree from parser events, one event at a time.
///
/// A repeated key is found while its mapping is built, so it is known at its own line and column and
/// nothing else in the file is lost: the mapping keeps the first occurrence, the repeat is recorded
/// (its value is still composed, so repeats inside it are recorded too) and left out.
struct YAMLComposer {
    /// The document's root, once its last event has been taken.
    private(set) var root: YAMLNode?
    /// Every repeated key, in the order their mappings were composed.
    private(set) var duplicateKeys: [YAMLDuplicateKey] = []

    /// A list or mapping whose end event has not come yet.
    private struct Open {
        var node: YAMLNode
        var anchor: String?
        var items: [YAMLNode] = []
        var pairs: [YAMLNode.Pair] = []
        /// A mapping's key waiting for its value, and whether it repeats an earlier key.
        var key: YAMLNode?
        var keyRepeats = false
        /// The line of each scalar key so far.
        var keyLines: [String: Int] = [:]
        var duplicateKeys: [YAMLDuplicateKey] = []
    }

    private var open: [Open] = []
    private var anchors: [String: YAMLNode] = [:]
    private var documents = 0

    /// Takes the next event; a failure when the events cannot form one document.
    mutating func take(_ event: YAMLEventReader.Event) -> YAMLEventReader.Failure? {
        switch event {
        case .documentStart(let line, let column):
            documents += 1
            if documents > 1 {
                return YAMLEventReader.Failure(
                    line: line, column: column, message: "YAML syntax error: but found another document "
                        + "(expected a single document in the stream on line 1)")
            }
        case .scalar(let value, let style, let tag, let anchor, let line, let column):
            let node = YAMLNode(content: .scalar(value, style), tag: tag, line: line, column: column)
            if let anchor { anchors[anchor] = node }
            add(node, line: line, column: column)
        case .sequenceStart(let tag, let anchor, let line, let column):
            open.append(Open(node: YAMLNode(content: .sequence([]), tag: tag, line: line, column: column), anchor: anchor))
        case .mappingStart(let tag, let anchor, let line, let column):
            open.append(Open(node: YAMLNode(content: .mapping([]), tag: tag, line: line, column: column), anchor: anchor))
        case .sequenceEnd, .mappingEnd:
            guard let done = open.popLast() else { break }
            var node = done.node
            if node.isSequence {
                node.content = .sequence(done.items)
            } else {
                node.content = .mapping(done.pairs)
                node.duplicateKeys = done.duplicateKeys
            }
            if let anchor = done.anchor { anchors[anchor] = node }
            add(node, line: node.line, column: node.column)
        case .alias(let name, let line, let column):
            guard let node = anchors[name] else {
                return YAMLEventReader.Failure(line: line, column: column,
                                               message: "YAML syntax error: found undefined alias '\(name)'")
            }
            // The anchored node, where its text is; a repeat written as an alias is reported at the alias.
            add(node, line: line, column: column)
        }
        return nil
    }

    /// Adds a finished node to the list or mapping that holds it; `line` and `column` are where it is
    /// written, which for an alias is not where its node starts.
    private mutating func add(_ node: YAMLNode, line: Int, column: Int) {
        guard var parent = open.popLast() else {
            root = node
            return
        }
        defer { open.append(parent) }
        if parent.node.isSequence {
            parent.items.append(node)
        } else if let key = parent.key {
            if !parent.keyRepeats { parent.pairs.append(YAMLNode.Pair(key: key, value: node)) }
            parent.key = nil
            parent.keyRepeats = false
        } else {
            parent.key = node
            guard let name = node.scalar else { return }
            if let first = parent.keyLines[name] {
                let repeated = YAMLDuplicateKey(key: name, firstLine: first, line: line, column: column)
                parent.duplicateKeys.append(repeated)
                duplicateKeys.append(repeated)
                parent.keyRepeats = true
            } else {
                parent.keyLines[name] = line
            }
        }
    }
}
