import FaultlineCore
/// A CPU fault on one host (`cpu:` in a scenario): stress workers beside the host's programs, or a
/// cap on the CPU the host's programs may use.
public enum CPUFault: Codable, Sendable, Equatable {
    /// `cpu: { host: client, load: 80%, workers: 2 }`
    case stress(CPUStress)
    /// `cpu: { host: client, limit: 20% }`
    case limit(CPULimit)

    /// The host the fault acts on.
    public var host: String {
        switch self {
        case .stress(let s): s.host
        case .limit(let l): l.host
        }
    }
}

/// Noisy neighbours: `workers` threads in the host's cgroup, each busy for `load` of every period.
public struct CPUStress: Codable, Sendable, Equatable {
    public var host: String
    /// The busy share of each worker's period, per worker (at most 100 %).
    public var load: Percentage
    /// How many workers burn at once (default 1).
    public var workers: Int

    public init(host: String, load: Percentage, workers: Int = 1) {
        self.host = host
        self.load = load
        self.workers = workers
    }

    /// The most workers a scenario may ask for on a machine with `cpuCount` CPUs.
    public static func maxWorkers(cpuCount: Int) -> Int { max(1, cpuCount) * 4 }
}

/// Starvation: the host's processes together get at most `limit` of one CPU (a cgroup quota).
public struct CPULimit: Codable, Sendable, Equatable {
    public var host: String
    /// A share of one CPU, above 0 %.
    public var limit: Percentage

    public init(host: String, limit: Percentage) {
        self.host = host
        self.limit = limit
    }
}
