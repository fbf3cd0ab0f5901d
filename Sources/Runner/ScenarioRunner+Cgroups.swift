import Faults
import Foundation
import RunHistory
import ScenarioFormat
import Testbed

/// The run's cgroups: one per host under `faultline/<runID>/`, made before any program starts and
/// removed (with anything still in them) at teardown.
struct CgroupPlan {
    var controller: (any CgroupController)?
    var hosts: [HostCgroup] = []
    var runGroup: String = ""
    /// Why there are none, when there are none.
    var unavailable: String?

    /// Host folders first, then the run's own: the order the reaper removes them in.
    var directories: [String] {
        guard let controller else { return [] }
        return hosts.flatMap(\.directories) + controller.directories(of: runGroup)
    }
}

extension ScenarioRunner {
    /// Which cgroups the run will make; made before the run's state is written so the state names them.
    func planCgroups() -> CgroupPlan {
        switch CgroupProbe.detect() {
        case .failure(let error):
            return CgroupPlan(unavailable: "\(error)")
        case .success(let controller):
            return CgroupPlan(
                controller: controller,
                hosts: scenario.hosts.map { HostCgroup(host: $0.name, runID: runID, controller: controller) },
                runGroup: HostCgroup.runGroup(runID: runID))
        }
    }

    /// Creates the groups and pushes their removal. Without a cpu controller the run goes on
    /// (network faults need none); `cpu:` faults then fail with the reason.
    func createCgroups(_ plan: CgroupPlan) throws {
        guard let controller = plan.controller else {
            history.record(.note(message: "no per-host cgroups: \(plan.unavailable ?? "unknown reason")"))
            return
        }
        let directories = plan.directories
        teardown.push("removing the cgroups of run \(runID)") {
            let errors = CgroupCleanup.remove(directories: directories)
            if !errors.isEmpty { throw RunnerError(operation: "removing cgroups", detail: errors.joined(separator: "; ")) }
        }
        for cgroup in plan.hosts {
            try cgroup.create()
            state.withLock { $0.cgroups[cgroup.host] = cgroup }
        }
        history.record(.note(message: "per-host cgroups (\(controller.engine)): "
            + plan.hosts.map(\.group).joined(separator: ", ")))
    }

    /// Samples every host's CPU into the history until teardown.
    func startCPUSampler() {
        let cgroups = state.withLock { $0.cgroups }
        guard !cgroups.isEmpty else { return }
        let sampler = CPUSampler(cgroups: Array(cgroups.values), history: history)
        sampler.start()
        teardown.push("stopping the CPU sampler") { sampler.stop() }
    }

    /// What `cpu:`, `process:`, `http:` and `tls:` faults may touch.
    var hostFaultContext: HostFaultContext {
        let (cgroups, supervisors) = state.withLock { ($0.cgroups, $0.supervisors) }
        return HostFaultContext(
            cgroups: cgroups, processes: supervisors.mapValues { $0 as any HostProcessControl },
            burner: options.burner ?? RunOptions.ownBurner, services: services.targets, tls: services.tlsTargets)
    }
}
