import Foundation
import Glibc
import LinuxSystem
import Netlink
import RunHistory
import Testbed
import Synchronization

/// CPU stress played on a host: one worker process (``CPUBurner``) started in the host's cgroup at
/// apply, killed at heal, with the CPU it burned measured from its threads' accounting.
public final class CPUStressEffect: CPUMeasuringEffect, Sendable {
    public let plan: CPUStressPlan
    public let cgroup: HostCgroup
    private let state = Mutex(Worker())

    /// The worker process while the fault is applied, and what it burned once healed.
    private struct Worker {
        var pid: Int32?
        var startedAt: UInt64 = 0
        var measured: CPUMeasurement?
    }

    public init(plan: CPUStressPlan, cgroup: HostCgroup) {
        self.plan = plan
        self.cgroup = cgroup
    }

    public var engine: EffectEngine { .stressWorkers(controller: cgroup.controller.engine) }

    public var detail: String {
        let load = String(format: "%.0f%%", plan.load * 100)
        return "\(plan.workers) worker(s) at \(load) per \(plan.period) on CPUs "
            + "\(plan.cpus.map(String.init).joined(separator: ",")) in cgroup \(cgroup.group): \(plan.command)"
    }

    public var measurement: CPUMeasurement? { state.withLock { $0.measured } }

    /// The worker process while the fault is applied.
    public var workerPID: Int32? { state.withLock { $0.pid } }

    public func apply() throws {
        try state.withLock { state in
            if state.pid != nil { return }
            // Output goes nowhere: the workers print nothing worth a history line.
            let child = try Spawn.start(cgroup.joining(plan.argv), env: ProcessInfo.processInfo.environment, capture: false)
            state.pid = child.pid
            state.startedAt = RunClock.monotonicNow()
        }
    }

    /// Measures, then SIGKILLs and reaps the worker process; nothing to do when none runs.
    public func heal() throws {
        try state.withLock { state in
            guard let p = state.pid else { return }
            // The worker threads' own time since they started: the process's start-up (a shell
            // joining the cgroup, the runtime loading) is not load the fault asked for, and
            // costs ~0.1 s of CPU in the guest kernel.
            let burned = CPUAffinity.threadsCPU(p, namedWith: CPUBurner.threadPrefix)
            let whole = CPUAffinity.processCPUSeconds(p)
            kill(p, SIGKILL)
            _ = Spawn.wait(p)
            state.pid = nil
            guard let whole else {
                throw FaultError(.toolFailed(command: plan.command, status: -1, standardError: "worker \(p) ended early"))
            }
            // Healed before a worker thread started (or named itself): the whole process's time.
            let cpu = burned?.cpuSeconds ?? whole
            let wall = burned?.runningSeconds ?? Double(RunClock.monotonicNow() - state.startedAt) / 1e9
            state.measured = CPUMeasurement(host: plan.host, workers: plan.workers, cpuSeconds: cpu, wallSeconds: wall)
        }
    }
}
