import Foundation
import Yams

/// Composes YAML text into a node tree, turning syntax errors into problems with their position.
///
/// Yams rejects a mapping with a repeated key (two hosts named `api`) as a whole, which would hide
/// every other problem in the file. So a repeated key is renamed to a placeholder in a copy of the
/// text and composing is tried again; the reader reports the duplicate at the placeholder's node
/// (which keeps the line and column of the second occurrence) and otherwise skips it.
struct YAMLComposer {
    /// A key that was renamed because it repeated an earlier key of the same mapping.
    struct Duplicate {
        var key: String
        var firstLine: Int
        var line: Int
        var column: Int
        var reported = false

        var message: String { "'\(key)' appears twice (first on line \(firstLine)); keys must be unique" }
    }

    static let placeholderPrefix = "__faultline_duplicate_"

    static func isRenamedDuplicate(_ key: String) -> Bool { key.hasPrefix(placeholderPrefix) }

    let file: String
    private(set) var duplicates: [String: Duplicate] = [:]

    init(file: String) { self.file = file }

    /// The document's root node, nil for an empty document or one that could not be parsed
    /// (then `problems` says why).
    mutating func compose(_ yaml: String, problems: inout [ScenarioProblem]) -> Node? {
        var text = yaml
        for attempt in 0..<100 {
            do {
                return try Yams.compose(yaml: text)
            } catch YamlError.duplicatedKeysInMapping(let keys, let context) {
                let key = keys.first ?? ""
                let placeholder = "\(Self.placeholderPrefix)\(attempt)__"
                guard let found = Self.secondOccurrence(of: key, after: context.mark, in: text) else {
                    problems.append(problem(context.mark, "key '\(key)' appears more than once in the same mapping"))
                    return nil
                }
                duplicates[placeholder] = Duplicate(
                    key: key, firstLine: context.mark.line, line: found.line, column: found.column)
                var scalars = Array(text.unicodeScalars)
                scalars.replaceSubrange(found.offset..<found.offset + key.unicodeScalars.count,
                                        with: placeholder.unicodeScalars)
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars)
                text = String(s)
            } catch let error as YamlError {
                problems.append(syntaxProblem(error, yaml: yaml))
                return nil
            } catch {
                problems.append(problem(nil as Mark?, "cannot read YAML: \(error)"))
                return nil
            }
        }
        return nil
    }

    private func problem(_ mark: Mark?, _ message: String) -> ScenarioProblem {
        problem(mark.map { ($0.line, $0.column) }, message)
    }

    private func problem(_ position: (line: Int, column: Int)?, _ message: String) -> ScenarioProblem {
        ScenarioProblem(file: file, line: position?.line ?? 1, column: position?.column ?? 1, path: "",
                        message: message)
    }

    private func syntaxProblem(_ error: YamlError, yaml: String) -> ScenarioProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let context = context.map { " (\($0.text) on line \($0.mark.line))" } ?? ""
            return self.problem(mark, "YAML syntax error: \(problem)\(context)")
        case .reader(let problem, let offset, _, _):
            let position = offset.map { Self.position(ofCharacterOffset: $0, in: yaml) }
            return self.problem(position, "cannot read the file as UTF-8 text: \(problem)")
        default:
            return self.problem(nil as Mark?, "YAML error: \(error)")
        }
    }

    private static func position(ofCharacterOffset offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for ch in text.prefix(offset) {
            if ch == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    /// Where `key` is written again as a key after its first occurrence at `first`: preferably at the
    /// same column on a later line (block style), otherwise anywhere later (flow style).
    static func secondOccurrence(
        of key: String, after first: Mark, in text: String
    ) -> (offset: Int, line: Int, column: Int)? {
        let s = Array(text.unicodeScalars)
        let k = Array(key.unicodeScalars)
        guard !k.isEmpty else { return nil }
        var line = 1, column = 1
        var anyColumn: (Int, Int, Int)?
        var i = 0
        while i < s.count {
            let afterFirst = line > first.line || (line == first.line && column > first.column)
            if afterFirst, isKey(k, at: i, in: s) {
                if column == first.column && line > first.line { return (i, line, column) }
                if anyColumn == nil { anyColumn = (i, line, column) }
            }
            if s[i] == "\n" { line += 1; column = 1 } else { column += 1 }
            i += 1
        }
        return anyColumn
    }

    private static func isKey(_ k: [Unicode.Scalar], at i: Int, in s: [Unicode.Scalar]) -> Bool {
        guard i + k.count <= s.count, Array(s[i..<i + k.count]) == k else { return false }
        if i > 0, !" \t\n{,\"'".unicodeScalars.contains(s[i - 1]) { return false }
        var j = i + k.count
        if j < s.count, s[j] == "\"" || s[j] == "'" { j += 1 }
        while j < s.count, s[j] == " " || s[j] == "\t" { j += 1 }
        guard j < s.count, s[j] == ":" else { return false }
        return j + 1 == s.count || " \t\n\r,}".unicodeScalars.contains(s[j + 1])
    }
}
