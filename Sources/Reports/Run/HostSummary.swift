import FaultlineCore
import ScenarioFormat

/// One host of the run: where it was, what it ran and how that ended.
public struct HostSummary: Codable, Sendable, Equatable {
    public var name: String
    public var address: String?
    /// The command the host ran (`run:`), if any.
    public var command: String?
    public var pid: Int32?
    /// `exit 0` or `signal 9`; nil if the process had not exited when the history ended.
    public var exitStatus: String?
    public var exitedAt: TimeSpan?
    /// How many lines the process printed on stdout and stderr together.
    public var outputLineCount: Int
    /// Its last lines, oldest first.
    public var lastLines: [String]
    /// CPU seconds the host's cgroup used (its programs and any stress workers), from the last
    /// `cpu.sample`; nil without cgroup accounting.
    public var cpuSeconds: Double?
    /// Average share of one CPU between the first and last sample (100 = one full CPU).
    public var averageCPUPercent: Double?

    public init(
        name: String, address: String? = nil, command: String? = nil, pid: Int32? = nil, exitStatus: String? = nil,
        exitedAt: TimeSpan? = nil, outputLineCount: Int = 0, lastLines: [String] = []
    ) {
        self.name = name
        self.address = address
        self.command = command
        self.pid = pid
        self.exitStatus = exitStatus
        self.exitedAt = exitedAt
        self.outputLineCount = outputLineCount
        self.lastLines = lastLines
    }
}
