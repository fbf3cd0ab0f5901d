import FaultlineCore
import RunHistory
import ScenarioFormat
import Services
import Testbed

/// What faults on a host's machine (`cpu:`, `process:`) may touch: each host's cgroup, a handle on
/// each host's program, and the command that starts CPU stress workers. Deliberately not the
/// runner: a fault sees only these.
public struct HostFaultContext: Sendable {
    public var cgroups: [String: HostCgroup]
    public var processes: [String: any HostProcessControl]
    /// The stress-worker program, e.g. `["/usr/local/bin/faultline", "_burn"]`; its options follow.
    public var burner: [String]
    /// The running stand-in services by host, which `http` faults change.
    public var services: [String: any HTTPFaultTarget]
    /// The TLS sides of the stand-ins that serve TLS, by host, which `tls` faults change.
    public var tls: [String: StandInTLS]

    public init(
        cgroups: [String: HostCgroup] = [:], processes: [String: any HostProcessControl] = [:], burner: [String] = [],
        services: [String: any HTTPFaultTarget] = [:], tls: [String: StandInTLS] = [:]
    ) {
        self.cgroups = cgroups
        self.processes = processes
        self.burner = burner
        self.services = services
        self.tls = tls
    }
}

/// Control over one host's program, as process faults need it: signal its process group, wait for
/// it to end, start it again. The runner implements it; tests use a recording stand-in.
public protocol HostProcessControl: AnyObject, Sendable {
    var host: String { get }
    /// The pid of the running process (its group's leader), nil when it has ended.
    var runningPID: Int32? { get }
    /// Sends `signal` to the whole process group; false when nothing runs.
    @discardableResult func signalGroup(_ signal: Int32) -> Bool
    /// Waits up to `timeout` for the running process to end; true once nothing runs.
    func waitForExit(timeout: TimeSpan) -> Bool
    /// Starts the host's `run` command again and blocks until its `ready:` rule holds (recording
    /// `process.started` and `host.ready`); failures are recorded against `fault` and rethrown.
    func restart(for fault: String) throws
}

/// An effect that measures the CPU it burned, for the history (`stress.measured`).
public protocol CPUMeasuringEffect: FaultEffect {
    /// What the last apply…heal burned; nil before the first heal.
    var measurement: CPUMeasurement? { get }
}

/// CPU burned by stress workers between apply and heal.
public struct CPUMeasurement: Sendable, Equatable {
    public var host: String
    public var workers: Int
    public var cpuSeconds: Double
    public var wallSeconds: Double

    /// Per worker, as a share of one CPU (100 = one full CPU).
    public var percentPerWorker: Double {
        wallSeconds > 0 && workers > 0 ? cpuSeconds / wallSeconds / Double(workers) * 100 : 0
    }
}
