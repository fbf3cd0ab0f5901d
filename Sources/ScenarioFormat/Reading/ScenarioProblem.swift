/// One thing wrong (or suspicious) in a scenario file, located by line, column and field path.
///
/// Its description is the one-line form editors and CI logs understand:
/// `scenarios/x.yaml:14:7 faults[1].partition.mode: unknown mode 'dorp'; allowed: drop, reject, reset (did you mean 'drop'?)`.
public struct ScenarioProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Errors stop a scenario from being read; warnings are reported but do not.
    public enum Severity: String, Sendable, Equatable, Comparable {
        case error
        case warning

        public static func < (a: Severity, b: Severity) -> Bool { a == .error && b == .warning }
    }

    /// The file as given to the reader.
    public var file: String
    /// 1-based line of the offending node; 0 when the problem has no position (an unreadable file).
    public var line: Int
    /// 1-based column of the offending node; 0 when the problem has no position.
    public var column: Int
    /// The field's path in the scenario, e.g. `faults[1].partition.mode`; empty for the whole file.
    public var path: String
    /// What is wrong and what is allowed.
    public var message: String
    public var severity: Severity

    public init(
        file: String, line: Int, column: Int, path: String, message: String, severity: Severity = .error
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.severity = severity
    }

    public var isError: Bool { severity == .error }

    public var description: String {
        var s = line > 0 ? "\(file):\(line):\(column)" : file
        if !path.isEmpty { s += " \(path)" }
        s += ": "
        if severity == .warning { s += "warning: " }
        return s + message
    }
}

/// Every problem found in one scenario file, in file order (line, then column).
///
/// Returned as the failure of ``ScenarioReader/read(file:)`` when at least one problem is an error;
/// warnings found in the same file are listed too, so one run of the reader shows everything.
public struct ScenarioProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [ScenarioProblem]

    public init(_ problems: [ScenarioProblem]) {
        self.problems = problems.sorted { ($0.line, $0.column, $0.severity) < ($1.line, $1.column, $1.severity) }
    }

    public var errors: [ScenarioProblem] { problems.filter(\.isError) }
    public var warnings: [ScenarioProblem] { problems.filter { !$0.isError } }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
