import DNS
import Netlink
import ScenarioFormat
import Services
import Testbed

/// Turns a scenario's fault into a ``FaultEffect`` for a built testbed.
///
/// The one exhaustive `switch` over ``FaultKind``: a new kind gets its case here and a file of
/// its own, and the compiler points here until it does.
public enum FaultEngine {
    /// The effect of `fault` on `topology`, through the topology's own netlink backend;
    /// iptables (for `reset` partitions and NFQUEUE steering) is spawned from the namespaces'
    /// threads. Faults on a host's machine (`cpu:`, `process:`) act through `hosts`; DNS hijacks
    /// switch the rules of the scenario's DNS server (`environment.dnsRules`).
    ///
    /// - Parameter slot: the fault's index in the scenario, so overlapping faults own separate
    ///   rules (see ``PartitionPlanner/plan(_:topology:slot:)``).
    public static func make(
        fault: Fault, topology: Topology, slot: Int = 0, environment: FaultEnvironment = FaultEnvironment(),
        hosts: HostFaultContext = HostFaultContext()
    ) throws -> any FaultEffect {
        // Only a link fault queues packets; the real engine reads them on the router's thread.
        var packets: (any PacketEngine)?
        if case .link = fault.kind {
            let router = topology.plan.routerNamespace
            guard let thread = topology.thread(in: router) else { throw FaultError(.namespaceNotInTopology(router.name)) }
            packets = QueuedPacketEngine(thread: thread, seed: environment.seed, faultName: fault.name, logDirectory: environment.logDirectory)
        }
        return try make(
            fault.kind, name: fault.name, plan: topology.plan, backend: topology.backend,
            netfilter: needsNetfilter(fault.kind) ? NetfilterChoice.netfilter(for: topology) : SpawningIPTables(topology: topology), slot: slot, packets: packets, environment: environment, hosts: hosts)
    }

    /// Only partitions and link faults touch netfilter: other kinds never pay for its probe
    /// (up to the probe's 2 s receive timeout on a kernel whose nf_tables does not answer).
    private static func needsNetfilter(_ kind: FaultKind) -> Bool {
        switch kind {
        case .partition, .link: true
        case .cpu, .process, .dns, .http, .tls: false
        }
    }

    /// The same with every seam given, for tests with ``RecordingBackend``, ``RecordingNetfilter``
    /// and ``RecordingPacketEngine``. `packets` is what a userspace link fault queues packets to;
    /// without one such a fault throws ``FaultError/Code/noPacketEngine``.
    public static func make(
        _ kind: FaultKind, name: String = "fault", plan: TopologyPlan, backend: any RouteNetlink, netfilter: any Netfilter,
        slot: Int = 0, packets: (any PacketEngine)? = nil, environment: FaultEnvironment = FaultEnvironment(),
        hosts: HostFaultContext = HostFaultContext()
    ) throws -> any FaultEffect {
        switch kind {
        case .partition(let partition):
            return PartitionEffect(
                plan: try PartitionPlanner.plan(partition, topology: plan, slot: slot), backend: backend, netfilter: netfilter)
        case .link(let link):
            let engine = try LinkPlanner.engine(for: link, deterministic: environment.deterministic, netemAvailable: environment.netemAvailable)
            let linkPlan = try LinkPlanner.plan(link, engine: engine, topology: plan, firstQueue: QueueNumbers.take(link.pairs.count))
            let logs = engine == .userspace && environment.logDirectory != nil
                ? link.pairs.map { QueuedPacketEngine.logName(fault: name, pair: $0) } : []
            return try LinkEffect(plan: linkPlan, backend: backend, netfilter: netfilter, packets: packets, roots: environment.sharedRoots,
                                  decisionLogs: logs)
        case .cpu(.stress(let stress)):
            let cgroup = try cgroup(of: stress.host, in: hosts)
            // The CPUs the host's own program may use, so the workers compete with it.
            let pid = hosts.processes[stress.host]?.runningPID ?? 0
            let cpus = CPUAffinity.of(pid) ?? CPUAffinity.of(0) ?? []
            return CPUStressEffect(plan: try CPUStressPlanner.plan(stress, burner: hosts.burner, cpus: cpus), cgroup: cgroup)
        case .cpu(.limit(let limit)):
            return CPULimitEffect(cgroup: try cgroup(of: limit.host, in: hosts), fraction: limit.limit.fraction)
        case .process(let process):
            guard let control = hosts.processes[process.host] else { throw FaultError(.noProcess(host: process.host)) }
            return ProcessFaultEffect(fault: name, action: process.action, control: control)
        case .dns(let hijack):
            guard let rules = environment.dnsRules else { throw FaultError(.noDNSServer(name)) }
            return try DNSHijackEffect(
                fault: name, hijack: hijack, rules: rules, seed: environment.seed,
                hosts: Dictionary(uniqueKeysWithValues: plan.hosts.map { ($0.host, $0.address) }))
        case .http(let fault):
            return try HTTPFaultEffect.make(fault, name: name, services: hosts.services)
        case .tls(let fault):
            return try TLSFaultEffect.make(fault, name: name, targets: hosts.tls)
        }
    }

    private static func cgroup(of host: String, in hosts: HostFaultContext) throws -> HostCgroup {
        guard let cgroup = hosts.cgroups[host] else { throw FaultError(.noCgroup(host: host)) }
        return cgroup
    }
}
