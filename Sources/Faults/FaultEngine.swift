import Netlink
import ScenarioFormat
import Testbed

/// Turns a scenario's fault into a ``FaultEffect`` for a built testbed.
///
/// The one exhaustive `switch` over ``FaultKind``: a new kind gets its case here and a file of
/// its own, and the compiler points here until it does.
public enum FaultEngine {
    /// The effect of `fault` on `topology`, through the topology's own netlink backend;
    /// iptables (for `reset` partitions and NFQUEUE steering) is spawned from the namespaces' threads.
    ///
    /// - Parameter slot: the fault's index in the scenario, so overlapping faults own separate
    ///   rules (see ``PartitionPlanner/plan(_:topology:slot:)``).
    public static func make(fault: Fault, topology: Topology, slot: Int = 0, environment: FaultEnvironment = FaultEnvironment()) throws -> any FaultEffect {
        let packets = QueuedPacketEngine(
            thread: topology.routerThread, seed: environment.seed, faultName: fault.name, logDirectory: environment.logDirectory)
        return try make(fault.kind, name: fault.name, plan: topology.plan, backend: topology.backend,
                        netfilter: SpawningIPTables(topology: topology), slot: slot, packets: packets, environment: environment)
    }

    /// The same with every seam given, for tests with ``RecordingBackend``, ``RecordingNetfilter``
    /// and ``RecordingPacketEngine``.
    public static func make(
        _ kind: FaultKind, name: String = "fault", plan: TopologyPlan, backend: any RouteNetlink, netfilter: any Netfilter,
        slot: Int = 0, packets: (any PacketEngine)? = nil, environment: FaultEnvironment = FaultEnvironment()
    ) throws -> any FaultEffect {
        switch kind {
        case .partition(let partition):
            return PartitionEffect(plan: try PartitionPlanner.plan(partition, topology: plan, slot: slot), backend: backend, netfilter: netfilter)
        case .link(let link):
            let engine = try LinkPlanner.engine(for: link, deterministic: environment.deterministic, netemAvailable: environment.netemAvailable)
            let linkPlan = try LinkPlanner.plan(link, engine: engine, topology: plan, firstQueue: QueueNumbers.take(link.pairs.count))
            let logs = engine == .userspace && environment.logDirectory != nil
                ? link.pairs.map { QueuedPacketEngine.logName(fault: name, pair: $0) } : []
            return LinkEffect(plan: linkPlan, backend: backend, netfilter: netfilter,
                              packets: packets ?? RecordingPacketEngine(into: RecordingBackend()), decisionLogs: logs)
        }
    }
}
