import Faults
import Foundation
import Netlink
import ScenarioFormat
import Testbed

extension ScenarioRunner {
    /// Before t = 0: finds what the kernel offers link faults (a netem qdisc tried on the router's
    /// `lo`), picks each link fault's engine, and checks the userspace engine can bind a queue —
    /// so a fault that cannot run stops the run here, naming what is missing, never silently later.
    func prepareFaultEngines(reportDirectory: URL) throws {
        guard let topology else { return }
        let links = scenario.faults.compactMap { f -> (Fault, LinkFault)? in
            if case .link(let l) = f.kind { return (f, l) }
            return nil
        }
        var environment = FaultEnvironment(seed: scenario.seed, deterministic: scenario.deterministic, logDirectory: reportDirectory)
        // The netfilter engine is probed now, before the timeline, not at the first fault's apply.
        if !links.isEmpty || scenario.faults.contains(where: { if case .partition(let p) = $0.kind { p.mode != .drop } else { false } }) {
            _ = NetfilterChoice.nftablesProblem(on: topology.routerThread)
        }
        guard !links.isEmpty else {
            state.withLock { $0.faultEnvironment = environment }
            return
        }
        let caps = LinkCapabilities.probe(backend: topology.backend, namespace: topology.routerNamespace)
        environment.netemAvailable = caps.netem
        var needsQueue = false
        for (fault, link) in links {
            let engine: LinkEngine
            do {
                engine = try LinkPlanner.engine(for: link, deterministic: scenario.deterministic, netemAvailable: caps.netem)
            } catch {
                throw RunnerError(operation: "choosing the engine of link fault \(fault.name)", detail: "\(error)")
            }
            if engine == .userspace { needsQueue = true }
            if (engine == .htb || link.rate != nil), !caps.htb {
                throw RunnerError(operation: "preparing link fault \(fault.name)", detail: "the htb qdisc is not in this kernel (needed for rate)")
            }
            progress("link fault \(fault.name): engine \(engine.rawValue)")
        }
        if needsQueue {
            if let problem = NetfilterChoice.requirementProblem(on: topology.routerThread) { throw problem }
            if let problem = LinkCapabilities.queueProblem(on: topology.routerThread) {
                throw RunnerError(operation: "preparing the userspace link engine", detail: problem)
            }
        }
        state.withLock { $0.faultEnvironment = environment }
    }
}
