import FaultlineCore
import Foundation
import Netlink
import RunHistory
import ScenarioFormat
import Services
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

    /// The environment every host's programs get: the run, the seed and each host's address.
    var baseEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["FAULTLINE_RUN"] = runID
        env["FAULTLINE_SCENARIO"] = scenario.name
        env["FAULTLINE_SEED"] = String(scenario.seed)
        for (name, address) in addressMap {
            env["FAULTLINE_HOST_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))"] = address.description
        }
        return env
    }

    /// The thread where a host's programs (and command probes) start: its network namespace and a
    /// private mount namespace with its own /etc/hosts and resolv.conf. Made once per host.
    func context(for host: String) throws -> HostContext {
        if let c = state.withLock({ $0.contexts[host] }) { return c }
        guard let topology else { throw RunnerError(operation: "entering host \(host)", detail: "no testbed") }
        let files = HostFiles.make(
            host: host, address: try topology.address(of: host), nameserver: topology.routerAddress,
            resolver: scenario.host(named: host)?.resolver ?? .default)
        let mounts = try files.write(to: RunRegistry.workDirectory(runID: runID) + "/hosts/\(host)")
        let context = try HostContext(host: host, namespace: topology.namespace(of: host), mounts: mounts)
        teardown.push("stopping the thread of host \(host)") { context.stop() }
        state.withLock { $0.contexts[host] = context }
        return context
    }

    /// The host's scratch folder (`FAULTLINE_DATA`), in the run's working folder: a server's state
    /// (an etcd data dir) lives as long as the run and goes with it, also after a crash (`faultline cleanup`).
    func dataDirectory(for host: String) throws -> String {
        let path = RunRegistry.workDirectory(runID: runID) + "/data/\(host)"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw RunnerError(operation: "creating the data folder \(path) of host \(host)", detail: "\(error)")
        }
        return path
    }

    /// Where the run's certificate authority is written for clients (`FAULTLINE_TLS_CA`).
    var authorityPath: String { RunRegistry.workDirectory(runID: runID) + "/tls/ca.pem" }

    /// The run's own certificate authority, made and written out when a stand-in serves TLS.
    private func makeCertificates() throws -> RunCertificates? {
        guard scenario.hosts.contains(where: { $0.tls != nil }) else { return nil }
        do {
            let certificates = try RunCertificates(runID: runID)
            try certificates.writeAuthority(to: authorityPath)
            progress("made the run's certificate authority: \(authorityPath)")
            return certificates
        } catch {
            throw RunnerError(operation: "making the run's TLS certificates", detail: "\(error)")
        }
    }

    /// Starts every host's program in its namespace, with its own /etc/hosts and resolv.conf.
    func startHosts() throws {
        var env = baseEnvironment
        let history = history
        if scenario.hosts.contains(where: { $0.service != nil }) {
            teardown.push("stopping the stand-in services") { self.services.stop() }
        }
        let certificates = try makeCertificates()
        if certificates != nil { env["FAULTLINE_TLS_CA"] = authorityPath }
        for host in scenario.hosts {
            if let service = host.service {
                // Bound before this returns: ready at once, no `ready:` rule needed.
                guard let topology else { throw RunnerError(operation: "starting service on \(host.name)", detail: "no testbed") }
                try services.start(
                    service, host: host.name, tls: host.tls, certificates: certificates, topology: topology, history: history)
                progress("started \(host.name): \(service.keyword) stand-in on port \(service.port)\(host.tls == nil ? "" : " (TLS)")")
            }
            guard let command = host.run else { continue }
            var hostEnv = env
            hostEnv["FAULTLINE_HOST"] = host.name
            hostEnv["FAULTLINE_ADDR"] = addressMap[host.name]?.description
            hostEnv["FAULTLINE_DATA"] = try dataDirectory(for: host.name)
            hostEnv.merge(host.env) { _, new in new }
            let supervisor = try HostSupervisor(
                spec: host, context: try context(for: host.name), env: hostEnv, directory: scenarioDirectory,
                cgroup: state.withLock { $0.cgroups[host.name] },
                history: history, waitUntilReady: { [self] spec, process, from in
                    try waitUntilReady(spec, process: process, fromEvent: from)
                })
            let process = supervisor.process
            state.withLock { state in
                state.processes[host.name] = process
                state.supervisors[host.name] = supervisor
            }
            teardown.push("ending the programs of host \(host.name)") { supervisor.terminate() }
            progress("started \(host.name) (pid \(process.pid)): \(command)")
        }
    }

    /// Blocks until every `ready:` rule holds, or throws naming the host that did not get there.
    func waitUntilReady() throws {
        guard let topology else { return }
        let interruption = self.interruption
        try ReadinessWaiter.wait(
            hosts: scenario.hosts, processes: state.withLock { $0.processes }, router: topology.routerNamespace,
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
        let env = baseEnvironment
        let history = history
        for expectation in scenario.expectations {
            guard case .probe(let p) = expectation.kind else { continue }
            let namespace = try topology.namespace(of: p.from)
            let prober: Prober
            if let argv = CommandAttempt.argv(for: p.target) {
                let context = try context(for: p.from)
                prober = try Prober(name: expectation.name, from: p.from, namespace: namespace, target: p.target, every: p.every, history: history) {
                    CommandAttempt.run(argv, in: context, env: env, timeout: p.timeout)
                }
            } else {
                guard let resolved = ResolvedTarget.resolve(p.target, addresses: addressMap) else {
                    throw RunnerError(operation: "starting probe \(expectation.name)", detail: "unknown host \(p.target.host ?? p.target.description)")
                }
                prober = try Prober(
                    name: expectation.name, from: p.from, namespace: namespace, target: p.target,
                    resolved: resolved, every: p.every, timeout: p.timeout, history: history)
            }
            state.withLock { $0.probers.append(prober) }
            teardown.push("stopping probe \(expectation.name)") { prober.stop() }
        }
    }
}
