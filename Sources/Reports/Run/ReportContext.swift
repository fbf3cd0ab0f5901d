import Foundation
import ScenarioFormat

/// The facts about a run that are not in its history: who, where, and how long each phase took.
///
/// Everything about time on the run clock comes from the history instead.
public struct ReportContext: Sendable {
    public var runID: String
    /// Wall-clock start of the run.
    public var startedAt: Date
    public var machine: MachineFacts
    /// Host name → address. Entries here override the history's `testbed.ready` event.
    public var addresses: [String: String]
    /// Fault name → engine, for faults that never applied; a `fault.applied` event's engine wins.
    public var engines: [String: String]
    public var durations: ReportDurations
    /// The signal that stopped the run, when it came too early or too late for the history.
    public var interruptedBy: String?
    /// Why the run never reached its timeline, if it did not.
    public var setupError: String?
    /// Why the scenario was not run at all (a `requires:` the machine lacks).
    public var skipped: String?
    /// Where the run's `history.jsonl` is.
    public var historyFile: String
    /// Where the run's `capture.pcap` is, when it captured.
    public var captureFile: String?
    /// The files of the run folder the report names; by default only the history.
    public var files: ReportFiles
    /// How many of each host's last output lines the report keeps.
    public var lastLineCount: Int

    public init(
        runID: String, startedAt: Date, machine: MachineFacts, addresses: [String: String] = [:],
        engines: [String: String] = [:], durations: ReportDurations, interruptedBy: String? = nil,
        setupError: String? = nil, historyFile: String = "history.jsonl", lastLineCount: Int = 10
    ) {
        self.runID = runID
        self.startedAt = startedAt
        self.machine = machine
        self.addresses = addresses
        self.engines = engines
        self.durations = durations
        self.interruptedBy = interruptedBy
        self.setupError = setupError
        self.historyFile = historyFile
        self.files = ReportFiles(history: historyFile)
        self.lastLineCount = lastLineCount
    }
}
