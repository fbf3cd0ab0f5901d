import Foundation
import Netlink
import RunHistory
import ScenarioFormat
import Testbed

extension ScenarioRunner {
    /// The testbed address of every host.
    var addressMap: [String: IPv4Address] {
        guard let topology else { return [:] }
        var map: [String: IPv4Address] = [:]
        for h in scenario.hosts { map[h.name] = try? topology.address(of: h.name) }
        return map
    }

    /// The scenario file's folder: hosts' programs start there.
    var scenarioDirectory: String {
        guard let file = scenario.file else { return FileManager.default.currentDirectoryPath }
        return URL(fileURLWithPath: file).deletingLastPathComponent().path
    }

    /// Starts every host's program in its namespace, with its own /etc/hosts and resolv.conf.
    func startHosts() throws {
        guard let topology else { return }
        let addresses = scenario.hosts.compactMap { h in addressMap[h.name].map { (h.name, $0) } }
        var env = ProcessInfo.processInfo.environment
        env["FAULTLINE_RUN"] = runID
        env["FAULTLINE_SCENARIO"] = scenario.name
        env["FAULTLINE_SEED"] = String(scenario.seed)
        for (name, address) in addresses {
            env["FAULTLINE_HOST_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))"] = address.description
        }
        for host in scenario.hosts {
            guard let command = host.run else { continue }
            let files = HostFiles.make(host: host.name, addresses: addresses)
            let mounts = try files.write(to: RunRegistry.workDirectory(runID: runID) + "/hosts/\(host.name)")
            let context = try HostContext(host: host.name, namespace: topology.namespace(of: host.name), mounts: mounts)
            teardown.push("stopping the thread of host \(host.name)") { context.stop() }
            var hostEnv = env
            hostEnv["FAULTLINE_HOST"] = host.name
            hostEnv["FAULTLINE_ADDR"] = addressMap[host.name]?.description
            hostEnv.merge(host.env) { _, new in new }
            let supervisor = try HostSupervisor(
                spec: host, context: context, env: hostEnv, directory: scenarioDirectory, cgroup: cgroups[host.name],
                history: history, waitUntilReady: { [self] spec, process, from in
                    try waitUntilReady(spec, process: process, fromEvent: from)
                })
            let process = supervisor.process
            processes[host.name] = process
            supervisors[host.name] = supervisor
            teardown.push("ending the programs of host \(host.name)") { supervisor.terminate() }
            progress("started \(host.name) (pid \(process.pid)): \(command)")
        }
    }

    /// Blocks until every `ready:` rule holds, or throws naming the host that did not get there.
    func waitUntilReady() throws {
        guard let topology else { return }
        let interruption = self.interruption
        try ReadinessWaiter.wait(
            hosts: scenario.hosts, processes: processes, router: topology.routerNamespace,
            addresses: addressMap, history: history, timeout: scenario.readyTimeout,
            cancelled: { interruption.signal != nil })
    }

    /// Blocks until one restarted host's `ready:` rule holds again (judging only newer events).
    func waitUntilReady(_ host: ScenarioFormat.Host, process: HostProcess, fromEvent: Int) throws {
        guard let topology else { return }
        let interruption = self.interruption
        try ReadinessWaiter.wait(
            hosts: [host], processes: [host.name: process], router: topology.routerNamespace,
            addresses: addressMap, history: history, timeout: scenario.readyTimeout, fromEvent: fromEvent,
            cancelled: { interruption.signal != nil })
    }

    /// Starts a prober for every probe expectation; they run until the timeline ends.
    func startProbes() throws {
        guard let topology else { return }
        for expectation in scenario.expectations {
            guard case .probe(let p) = expectation.kind else { continue }
            guard let resolved = ResolvedTarget.resolve(p.target, addresses: addressMap) else {
                throw RunnerError(operation: "starting probe \(expectation.name)", detail: "unknown host \(p.target.host)")
            }
            let prober = try Prober(
                name: expectation.name, from: p.from, namespace: topology.namespace(of: p.from), target: p.target,
                resolved: resolved, every: p.every, timeout: p.timeout, history: history)
            probers.append(prober)
            teardown.push("stopping probe \(expectation.name)") { prober.stop() }
        }
    }
}
