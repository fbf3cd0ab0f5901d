import ArgumentParser
import Faults

/// `faultline _burn`: the CPU stress workers of a `cpu: { load: }` fault. Hidden: the runner starts
/// it inside a host's cgroup and kills it at heal; it never ends on its own.
struct Burn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_burn", abstract: "Burn CPU in duty cycles (started by faultline run).", shouldDisplay: false)

    @Option(help: "Busy share of each period, 0…1.")
    var load: Double

    @Option(help: "How many worker threads.")
    var workers: Int = 1

    @Option(name: .customLong("period-ms"), help: "Duty-cycle period in milliseconds.")
    var periodMilliseconds: Int = 100

    @Option(help: "CPUs to run on, e.g. 0,1 (default: as inherited).")
    var cpus: String?

    func validate() throws {
        guard (0...1).contains(load) else { throw ValidationError("--load must lie between 0 and 1") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard periodMilliseconds >= 1 else { throw ValidationError("--period-ms must be at least 1") }
    }

    func run() throws {
        let list = (cpus ?? "").split(separator: ",").compactMap { Int32($0) }
        try CPUBurner.run(CPUBurnerOptions(load: load, workers: workers, periodMilliseconds: periodMilliseconds, cpus: list))
    }
}
