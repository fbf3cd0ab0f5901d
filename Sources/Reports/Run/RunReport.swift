import Checks
import RunHistory
import ScenarioFormat

/// Everything `report.json` holds about one run: what was planned, what happened, and the verdicts.
///
/// Times on the run's clock (`TimeSpan`) are encoded as seconds from t = 0; wall time appears
/// once, as `startedAt`. Bump ``currentFormatVersion`` on any change a reader would notice, and
/// describe it in `docs/report.schema.json`. Fields added after format 1 are optional, so an
/// older report still reads (for `faultline report diff`).
public struct RunReport: Codable, Sendable, Equatable {
    /// 2: `score`, `complete`, each fault's `target`, and the other files of the run folder.
    public static let currentFormatVersion = 2

    public var formatVersion: Int
    /// The Faultline version that wrote it (``FaultlineVersion/current``).
    public var version: String
    /// The scenario as resolved and run.
    public var scenario: Scenario
    public var seed: UInt64
    public var runID: String
    /// Wall-clock start of the run, ISO 8601 (`2026-11-21T21:31:40Z`).
    public var startedAt: String
    public var machine: MachineFacts
    /// Fault name → the engine that played it (`fib-rule`, `nftables`, …).
    public var engines: [String: String]
    public var hosts: [HostSummary]
    /// Each fault's planned and actual apply and heal, in scenario order.
    public var timeline: [FaultTimeline]
    /// One result per expectation, in scenario order.
    public var expectations: [CheckResult]
    public var verdict: Verdict
    /// Why the verdict is what it is: `1 of 3 expectations failed`.
    public var verdictSummary: String
    /// The weighted share of expectations that passed (format 2).
    public var score: ResilienceScore?
    /// False when the run was interrupted or never reached its timeline: its verdicts cover
    /// only part of the run (format 2).
    public var complete: Bool?
    /// Why the run never reached its timeline, if it did not (then there are no expectations).
    public var setupError: String?
    /// Why the scenario was not run at all: what its `requires:` needs and the machine lacks (format 2).
    public var skipped: String?
    public var interrupted: Bool
    /// The signal that interrupted the run (`SIGINT`), if any.
    public var signal: String?
    public var durations: ReportDurations
    public var files: ReportFiles
    /// The traffic capture's last counters (packets, drops, unparsed bytes), when the run captured.
    public var capture: CaptureStats?

    public init(
        formatVersion: Int = RunReport.currentFormatVersion, version: String = FaultlineVersion.current,
        scenario: Scenario, seed: UInt64, runID: String, startedAt: String, machine: MachineFacts,
        engines: [String: String], hosts: [HostSummary], timeline: [FaultTimeline], expectations: [CheckResult],
        verdict: Verdict, verdictSummary: String, score: ResilienceScore? = nil, setupError: String? = nil, skipped: String? = nil, interrupted: Bool,
        signal: String?, durations: ReportDurations, files: ReportFiles, capture: CaptureStats? = nil
    ) {
        self.formatVersion = formatVersion
        self.version = version
        self.scenario = scenario
        self.seed = seed
        self.runID = runID
        self.startedAt = startedAt
        self.machine = machine
        self.engines = engines
        self.hosts = hosts
        self.timeline = timeline
        self.expectations = expectations
        self.verdict = verdict
        self.verdictSummary = verdictSummary
        self.score = score
        self.complete = !interrupted && setupError == nil && skipped == nil
        self.setupError = setupError
        self.skipped = skipped
        self.interrupted = interrupted
        self.signal = signal
        self.durations = durations
        self.files = files
        self.capture = capture
    }

    /// `SKIPPED` for a run that never started (its verdict is unknown), else the verdict's label.
    public var verdictLabel: String { skipped == nil ? verdict.label : "SKIPPED" }

    /// `skipped: …`, `interrupted by SIGINT`, `setup failed`, or nil for a complete run: why the
    /// report covers only part of the run, or none of it.
    public var incompleteReason: String? {
        if let skipped { return "skipped: \(skipped)" }
        if interrupted { return "interrupted" + (signal.map { " by \($0)" } ?? "") }
        if setupError != nil { return "setup failed; the timeline never ran" }
        return nil
    }
}
