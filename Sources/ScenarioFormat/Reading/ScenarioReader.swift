import Foundation

/// Reads scenario files (YAML, format v1) into validated ``Scenario`` values.
///
/// Every problem in a file is reported at once, each with its line, column and field path
/// (see ``ScenarioProblem``). Errors make reading fail; warnings (e.g. two overlapping partitions
/// that cut the same pair in the same mode) do not. Callers that only need the scenario use
/// ``read(file:)``; callers that also show warnings use ``inspect(file:)``.
public enum ScenarioReader {
    /// What reading a file found: the scenario (nil if any error) and every problem, warnings included,
    /// in file order.
    public struct Outcome: Sendable {
        public var scenario: Scenario?
        public var problems: [ScenarioProblem]

        public var errors: [ScenarioProblem] { problems.filter(\.isError) }
        public var warnings: [ScenarioProblem] { problems.filter { !$0.isError } }

        /// The scenario, or every problem (warnings too) when there is an error.
        public var result: Result<Scenario, ScenarioProblems> {
            if let scenario, errors.isEmpty { return .success(scenario) }
            return .failure(ScenarioProblems(problems))
        }
    }

    /// Reads and validates a file; every problem at once. Warnings are dropped on success;
    /// use ``inspect(file:)`` to see them.
    public static func read(file path: String) -> Result<Scenario, ScenarioProblems> {
        inspect(file: path).result
    }

    /// Reads and validates YAML text; `file` names it in problems and in ``Scenario/file``.
    public static func read(yaml: String, file: String) -> Result<Scenario, ScenarioProblems> {
        inspect(yaml: yaml, file: file).result
    }

    /// Reads a file and returns the scenario together with every problem, warnings included.
    public static func inspect(file path: String) -> Outcome {
        guard let data = FileManager.default.contents(atPath: path) else {
            let problem = ScenarioProblem(file: path, line: 0, column: 0, path: "",
                                          message: "cannot read the file (missing or not readable)")
            return Outcome(scenario: nil, problems: [problem])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let problem = ScenarioProblem(file: path, line: 0, column: 0, path: "",
                                          message: "the file is not UTF-8 text")
            return Outcome(scenario: nil, problems: [problem])
        }
        return inspect(yaml: text, file: path)
    }

    /// Reads YAML text and returns the scenario together with every problem, warnings included.
    public static func inspect(yaml: String, file: String) -> Outcome {
        let document: YAMLEventReader.Document
        switch YAMLEventReader.compose(yaml) {
        case .success(let d): document = d
        case .failure(let f):
            let problem = ScenarioProblem(file: file, line: f.line, column: f.column, path: "", message: f.message)
            return Outcome(scenario: nil, problems: [problem])
        }
        let reader = NodeReader(file: file, duplicateKeys: document.duplicateKeys)
        let scenario = ScenarioBuilder(reader: reader).build(document.root)
        return Outcome(scenario: scenario, problems: ScenarioProblems(reader.problems).problems)
    }
}
