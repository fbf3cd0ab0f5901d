/// The files written beside the report.
public struct ReportFiles: Codable, Sendable, Equatable {
    /// The run's `history.jsonl`.
    public var history: String
    /// The traffic observer's `capture.pcap`, when the run captured.
    public var capture: String?

    public init(history: String, capture: String? = nil) {
        self.history = history
        self.capture = capture
    }
}
