import Netlink
import ScenarioFormat
import Testbed

/// Turns a scenario's fault into a ``FaultEffect`` for a built testbed.
///
/// The one exhaustive `switch` over ``FaultKind``: a new kind gets its case here and a file of
/// its own, and the compiler points here until it does.
public enum FaultEngine {
    /// The effect of `fault` on `topology`, through the topology's own netlink backend;
    /// iptables (for `reset` partitions) is spawned from the namespaces' threads.
    ///
    /// - Parameter slot: the fault's index in the scenario, so overlapping faults own separate
    ///   rules (see ``PartitionPlanner/plan(_:topology:slot:)``).
    public static func make(fault: Fault, topology: Topology, slot: Int = 0) throws -> any FaultEffect {
        try make(fault.kind, plan: topology.plan, backend: topology.backend, netfilter: SpawningIPTables(topology: topology), slot: slot)
    }

    /// The same with every seam given, for tests with ``RecordingBackend`` and ``RecordingNetfilter``.
    public static func make(
        _ kind: FaultKind, plan: TopologyPlan, backend: any RouteNetlink, netfilter: any Netfilter, slot: Int = 0
    ) throws -> any FaultEffect {
        switch kind {
        case .partition(let partition):
            PartitionEffect(plan: try PartitionPlanner.plan(partition, topology: plan, slot: slot), backend: backend, netfilter: netfilter)
        }
    }
}
