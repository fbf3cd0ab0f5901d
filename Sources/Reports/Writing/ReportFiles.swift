/// The files written beside the report, relative to the run folder.
///
/// Only `history` exists in format 1; the others are nil when that file was not written.
public struct ReportFiles: Codable, Sendable, Equatable {
    /// The run's `history.jsonl`.
    public var history: String
    /// The traffic observer's `capture.pcap`, when the run captured.
    public var capture: String?
    /// `junit.xml`: one testsuite, one testcase per expectation.
    public var junit: String?
    /// `summary.md`: the Markdown summary.
    public var summary: String?
    /// `report.html`: the self-contained page with the timeline.
    public var html: String?
    /// `scenario.yaml`: a copy of the scenario file as it was run.
    public var scenario: String?

    public init(
        history: String, capture: String? = nil, junit: String? = nil, summary: String? = nil, html: String? = nil,
        scenario: String? = nil
    ) {
        self.history = history
        self.capture = capture
        self.junit = junit
        self.summary = summary
        self.html = html
        self.scenario = scenario
    }

    /// Every file a run folder holds, by their standard names.
    public static let standard = ReportFiles(
        history: "history.jsonl", capture: "capture.pcap", junit: "junit.xml", summary: "summary.md", html: "report.html",
        scenario: "scenario.yaml")
}
