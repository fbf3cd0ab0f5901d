import FaultlineCore
import Foundation

/// Walks a composed YAML tree by hand, turning nodes into values and collecting every problem
/// with the node's line and column instead of stopping at the first.
final class NodeReader {
    let file: String
    private(set) var problems: [ScenarioProblem] = []
    /// Every repeated key in the file, and those already reported where their mapping was read.
    private let duplicateKeys: [YAMLDuplicateKey]
    private var reportedDuplicates: Set<YAMLDuplicateKey> = []

    init(file: String, duplicateKeys: [YAMLDuplicateKey] = []) {
        self.file = file
        self.duplicateKeys = duplicateKeys
    }

    // MARK: Reporting

    func error(_ node: YAMLNode?, _ path: String, _ message: String) {
        report(node, path, message, .error)
    }

    func warning(_ node: YAMLNode?, _ path: String, _ message: String) {
        report(node, path, message, .warning)
    }

    func report(_ node: YAMLNode?, _ path: String, _ message: String, _ severity: ScenarioProblem.Severity) {
        problems.append(ScenarioProblem(
            file: file, line: node?.line ?? 1, column: node?.column ?? 1,
            path: path, message: message, severity: severity))
    }

    func add(_ problem: ScenarioProblem) { problems.append(problem) }

    var hasErrors: Bool { errorCount > 0 }
    var errorCount: Int { problems.count { $0.isError } }

    /// Reports duplicates inside parts of the file the reader never walked (e.g. under an unknown key).
    func reportUnwalkedDuplicates() {
        for d in duplicateKeys where reportedDuplicates.insert(d).inserted {
            add(ScenarioProblem(file: file, line: d.line, column: d.column, path: "", message: d.message))
        }
    }

    // MARK: Structure

    /// The keys of a mapping, checked against `allowed` (empty: any key); nil (and a problem) if the
    /// node is not a mapping. A null node (`idle:` with nothing after it) reads as an empty mapping
    /// when `nullIsEmpty`.
    func fields(
        _ node: YAMLNode, _ path: String, allowed: [String], nullIsEmpty: Bool = false
    ) -> Fields? {
        if nullIsEmpty, node.isNull { return Fields(node: node, path: path, entries: []) }
        guard let pairs = node.pairs else {
            error(node, path, "expected a mapping (key: value), found \(node.kindName)")
            return nil
        }
        // The composer left repeated keys out; report them here, where their path is known.
        for d in node.duplicateKeys where reportedDuplicates.insert(d).inserted {
            add(ScenarioProblem(file: file, line: d.line, column: d.column, path: Fields.join(path, d.key),
                                message: d.message))
        }
        var entries: [Fields.Entry] = []
        for pair in pairs {
            let keyNode = pair.key, value = pair.value
            guard let key = keyNode.scalar else {
                error(keyNode, path, "keys must be plain words, found \(keyNode.kindName)")
                continue
            }
            let keyPath = Fields.join(path, key)
            if !allowed.isEmpty, !allowed.contains(key) {
                error(keyNode, keyPath,
                      "unknown key '\(key)'; allowed: \(allowed.listed)\(Suggestion.hint(for: key, in: allowed))")
                continue
            }
            entries.append(Fields.Entry(key: key, keyNode: keyNode, value: value))
        }
        return Fields(node: node, path: path, entries: entries)
    }

    /// The value of a required key; a problem on the parent mapping when it is missing.
    func require(_ fields: Fields, _ key: String, hint: String = "") -> YAMLNode? {
        if let v = fields[key] { return v }
        error(fields.node, fields.path, "missing required key '\(key)'\(hint)")
        return nil
    }

    /// The items of a list; nil (and a problem) if the node is not a list.
    func list(_ node: YAMLNode, _ path: String) -> [YAMLNode]? {
        guard let items = node.items else {
            error(node, path, "expected a list, found \(node.kindName)")
            return nil
        }
        return items
    }

    // MARK: Scalars

    /// A plain value as text; nil (and a problem) for a mapping, a list or nothing.
    func text(_ node: YAMLNode, _ path: String, what: String = "a text value") -> String? {
        guard let s = node.scalar, !node.isNull else {
            error(node, path, "expected \(what), found \(node.kindName)")
            return nil
        }
        return s
    }

    func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        guard let t = text(node, path, what: "true or false") else { return nil }
        switch t {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            error(node, path, "expected true or false, found '\(t)'")
            return nil
        }
    }

    func unsigned(_ node: YAMLNode, _ path: String) -> UInt64? {
        guard let t = text(node, path, what: "a whole number") else { return nil }
        guard let v = UInt64(t) else {
            error(node, path, "expected a whole number from 0 to \(UInt64.max), found '\(t)'")
            return nil
        }
        return v
    }

    func exitCode(_ node: YAMLNode, _ path: String) -> Int32? {
        guard let t = text(node, path, what: "an exit code") else { return nil }
        guard let v = Int32(t), (0...255).contains(v) else {
            error(node, path, "expected an exit code from 0 to 255, found '\(t)'")
            return nil
        }
        return v
    }

    /// A duration in the scenario's unit syntax (`250ms`, `5s`, `1m30s`).
    func timeSpan(_ node: YAMLNode, _ path: String, positive: Bool = false) -> TimeSpan? {
        guard let t = text(node, path, what: "a duration such as 5s") else { return nil }
        let s = t.trimmingCharacters(in: .whitespaces)
        let syntax = "write a number and a unit, e.g. 250ms, 5s, 1m30s (units: ns, us, ms, s, m, h)"
        if s.hasPrefix("-") {
            error(node, path, "duration '\(t)' must not be negative; \(syntax)")
            return nil
        }
        if s != "0", Double(s) != nil {
            error(node, path, "duration '\(t)' needs a unit; \(syntax)")
            return nil
        }
        guard let v = TimeSpan(parsing: s) else {
            error(node, path, "not a duration: '\(t)'; \(syntax)")
            return nil
        }
        if positive, v == .zero {
            error(node, path, "must be longer than 0")
            return nil
        }
        return v
    }

    /// A bound on a ratio: `>= 99%`, `< 5%`.
    func ratio(_ node: YAMLNode, _ path: String) -> RatioRequirement? {
        guard let t = text(node, path, what: "a bound such as '>= 99%'") else { return nil }
        let (_, rest) = ComparisonOperator.split(t)
        if let problem = Self.percentageProblem(rest) {
            error(node, path, "\(problem) in '\(t)'; write an operator and a percentage, e.g. '>= 99%' "
                + "(operators: \(ComparisonOperator.allCases.map(\.rawValue).listed))")
            return nil
        }
        return RatioRequirement(parsing: t)
    }

    /// Why `text` is not a percentage, or nil if it is one.
    static func percentageProblem(_ text: String) -> String? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard s.hasSuffix("%") else { return "percentage '\(s)' needs a % sign" }
        guard let v = Double(s.dropLast().trimmingCharacters(in: .whitespaces)), v.isFinite else {
            return "not a percentage: '\(s)'"
        }
        guard (0...100).contains(v) else { return "percentage \(s) must lie between 0% and 100%" }
        return nil
    }
}

/// The entries of one YAML mapping, in file order, with the mapping's own node and path.
struct Fields {
    struct Entry {
        var key: String
        var keyNode: YAMLNode
        var value: YAMLNode
    }

    var node: YAMLNode
    var path: String
    var entries: [Entry]

    subscript(key: String) -> YAMLNode? { entries.first { $0.key == key }?.value }
    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }
    func keyNode(_ key: String) -> YAMLNode? { entries.first { $0.key == key }?.keyNode }
    /// The path of one of the mapping's keys.
    func path(_ key: String) -> String { Self.join(path, key) }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
