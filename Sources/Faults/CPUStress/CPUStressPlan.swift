import FaultlineCore
import Foundation
import ScenarioFormat

/// Concrete stress workers for one host: how many, how busy, on which CPUs, started how.
public struct CPUStressPlan: Sendable, Equatable {
    public var host: String
    public var workers: Int
    /// The busy share of each period, 0…1.
    public var load: Double
    public var period: TimeSpan
    /// The CPUs the host's processes may run on; the workers are pinned to them.
    public var cpus: [Int32]
    /// The worker program and its options.
    public var argv: [String]

    /// The command line, for the history.
    public var command: String { argv.joined(separator: " ") }
}

/// Turns `cpu: { load:, workers: }` into a ``CPUStressPlan``: a pure function.
public enum CPUStressPlanner {
    /// The duty-cycle period: long enough that a worker's busy part is not chopped by the
    /// scheduler's tick, short enough that a client sees a steady load rather than bursts.
    public static let period = TimeSpan.milliseconds(100)

    public static func plan(_ stress: CPUStress, burner: [String], cpus: [Int32]) throws -> CPUStressPlan {
        guard !burner.isEmpty else { throw FaultError(.noBurner) }
        let options = CPUBurnerOptions(
            load: stress.load.fraction, workers: stress.workers, periodMilliseconds: Int(period.seconds * 1000), cpus: cpus)
        return CPUStressPlan(
            host: stress.host, workers: stress.workers, load: stress.load.fraction, period: period, cpus: cpus,
            argv: burner + options.arguments)
    }
}

/// The options of the stress-worker program (`faultline _burn`), written and read in one place.
public struct CPUBurnerOptions: Sendable, Equatable {
    public var load: Double
    public var workers: Int
    public var periodMilliseconds: Int
    /// Empty: leave the inherited affinity alone.
    public var cpus: [Int32]

    public init(load: Double, workers: Int, periodMilliseconds: Int, cpus: [Int32]) {
        self.load = load
        self.workers = workers
        self.periodMilliseconds = periodMilliseconds
        self.cpus = cpus
    }

    /// `--load 0.8 --workers 2 --period-ms 100 --cpus 0,1`
    public var arguments: [String] {
        var args = ["--load", String(load), "--workers", String(workers), "--period-ms", String(periodMilliseconds)]
        if !cpus.isEmpty { args += ["--cpus", cpus.map(String.init).joined(separator: ",")] }
        return args
    }
}
