import Foundation
import ScenarioFormat

/// The facts about a run that are not in its history: who, where, and how long each phase took.
///
/// Everything about time on the run clock comes from the history instead.
public struct ReportContext: Sendable {
    public var runID: String
    /// Wall-clock start of the run.
    public var startedAt: Date
    public var machine: MachineInfo
    /// Host name → address. Entries here override the history's `testbed.ready` event.
    public var addresses: [String: String]
    /// Fault name → engine, for faults that never applied; a `fault.applied` event's engine wins.
    public var engines: [String: String]
    public var durations: PhaseDurations
    /// The signal that stopped the run, when it came too early or too late for the history.
    public var interruptedBy: String?
    /// Where the run's `history.jsonl` is.
    public var historyPath: String
    /// How many of each host's last output lines the report keeps.
    public var lastLineCount: Int

    public init(
        runID: String, startedAt: Date, machine: MachineInfo, addresses: [String: String] = [:],
        engines: [String: String] = [:], durations: PhaseDurations, interruptedBy: String? = nil,
        historyPath: String = "history.jsonl", lastLineCount: Int = 10
    ) {
        self.runID = runID
        self.startedAt = startedAt
        self.machine = machine
        self.addresses = addresses
        self.engines = engines
        self.durations = durations
        self.interruptedBy = interruptedBy
        self.historyPath = historyPath
        self.lastLineCount = lastLineCount
    }
}
