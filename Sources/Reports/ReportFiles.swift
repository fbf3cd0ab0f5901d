/// The files written beside the report.
public struct ReportFiles: Codable, Sendable, Equatable {
    /// The run's `history.jsonl`.
    public var history: String

    public init(history: String) { self.history = history }
}
