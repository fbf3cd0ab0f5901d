import Foundation
import Glibc

/// What a live run owns, written before it creates anything, so that `faultline cleanup` (or the
/// next `faultline run`) can reap it if the run's process dies, even by SIGKILL.
public struct RunState: Codable, Sendable, Equatable {
    public var runID: String
    public var pid: Int32
    /// The owner's start time (field 22 of /proc/PID/stat), so a reused pid is not taken for it.
    public var pidStartTicks: UInt64
    public var scenario: String
    public var startedAt: String
    /// Every namespace the run will create (all named `fl-<runID>-…`).
    public var namespaces: [String]
    /// Every cgroup folder the run will create (host groups and the run's own folder).
    public var cgroups: [String]

    public init(runID: String, scenario: String, startedAt: String, namespaces: [String], cgroups: [String] = []) {
        self.runID = runID
        self.pid = getpid()
        self.pidStartTicks = RunState.startTicks(of: getpid()) ?? 0
        self.scenario = scenario
        self.startedAt = startedAt
        self.namespaces = namespaces
        self.cgroups = cgroups
    }

    private enum CodingKeys: String, CodingKey {
        case runID, pid, pidStartTicks, scenario, startedAt, namespaces, cgroups
    }

    /// States written before runs had cgroups read as having none.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        runID = try c.decode(String.self, forKey: .runID)
        pid = try c.decode(Int32.self, forKey: .pid)
        pidStartTicks = try c.decode(UInt64.self, forKey: .pidStartTicks)
        scenario = try c.decode(String.self, forKey: .scenario)
        startedAt = try c.decode(String.self, forKey: .startedAt)
        namespaces = try c.decode([String].self, forKey: .namespaces)
        cgroups = try c.decodeIfPresent([String].self, forKey: .cgroups) ?? []
    }

    /// Whether the process that wrote this state still runs.
    public var ownerIsAlive: Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        // A killed owner nobody has reaped yet is a zombie: as dead as it gets.
        return RunState.startTicks(of: pid) == pidStartTicks && !Reaper.isZombie(pid)
    }

    static func startTicks(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces), starting at field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}

/// The folder of run states: `/run/faultline/runs/<runID>.json`, plus each run's working files in
/// `/run/faultline/<runID>/`. Under /run, so a reboot (which also drops every namespace) clears it.
public enum RunRegistry {
    public static let root = "/run/faultline"
    static var runsDirectory: String { root + "/runs" }

    public static func workDirectory(runID: String) -> String { "\(root)/\(runID)" }

    public static func register(_ state: RunState) throws {
        try FileManager.default.createDirectory(atPath: runsDirectory, withIntermediateDirectories: true)
        let data = try JSONEncoder().encode(state)
        try data.write(to: URL(fileURLWithPath: path(state.runID)), options: .atomic)
    }

    public static func unregister(runID: String) {
        try? FileManager.default.removeItem(atPath: workDirectory(runID: runID))
        unlink(path(runID))
    }

    public static func all() -> [RunState] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: runsDirectory)) ?? []
        return files.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: runsDirectory + "/" + name) else { return nil }
            return try? JSONDecoder().decode(RunState.self, from: data)
        }
    }

    private static func path(_ runID: String) -> String { "\(runsDirectory)/\(runID).json" }
}
