import Netlink
import ScenarioFormat
import Testbed

/// Compiles a ``Partition`` into concrete changes for a topology (pure; no root needed).
///
/// - `drop`: in the router, `from A/32 to B/32 blackhole` per cut: packets vanish, connects time out.
/// - `reject`: in the router, netfilter `REJECT --reject-with icmp-host-unreachable` from A to B:
///   the router answers every packet with ICMP host unreachable, so connect fails within a round
///   trip with EHOSTUNREACH, as when a real router has no route — and the attempts cross the wire,
///   where the observer sees them. Not a FIB route or rule in the router: forwarded packets that
///   meet one are answered through `ip_error`, rate-limited by the global `route.error_cost`
///   (one a second per source after a burst of five), which no namespace may change. The router's
///   own ICMP limits are off (`icmp_ratelimit`, `icmp_ratemask`), so every attempt is answered.
/// - `reset`: in the router, netfilter `REJECT --reject-with tcp-reset` for TCP from A to B and
///   `icmp-port-unreachable` for the rest: ECONNREFUSED at once (TCP resets are not rate-limited,
///   and the router's ICMP rate limit is off), and the attempts are on the wire for the observer.
public enum PartitionPlanner {
    /// The FIB rule priority of partition rules: after the kernel's `local` rule (0), before `main` (32766).
    public static let rulePriority: UInt32 = 100

    /// - Parameter slot: the fault's place in the scenario. Each partition owns its rules and
    ///   routes through it (rule priority 100 + slot, route metric 1 + slot), so two partitions that
    ///   overlap on a pair neither clash when applied nor remove each other's cut when healed.
    public static func plan(_ partition: Partition, topology: TopologyPlan, slot: Int = 0) throws -> PartitionPlan {
        let slot = UInt32(clamping: max(slot, 0))
        var seen = Set<DirectedPair>()
        let cuts = partition.cuts.filter { seen.insert($0).inserted }
        var changes: [PartitionChange] = []
        for cut in cuts {
            guard cut.from != cut.to else { throw FaultError(.selfCut(cut.from)) }
            let from = try topology.requireHost(cut.from)
            let to = try topology.requireHost(cut.to)
            switch partition.mode {
            case .drop:
                let rule = FIBRule(from: from.address.prefix32, to: to.address.prefix32, action: .blackhole, priority: rulePriority + slot)
                changes.append(.fibRule(rule, in: topology.routerNamespace))
            case .reject:
                changes.append(.packetFilter(IPTablesRule(
                    chain: "FORWARD", source: from.address.prefix32, destination: to.address.prefix32,
                    target: .reject(with: .icmpHostUnreachable)),
                    in: topology.routerNamespace))
            case .reset:
                // In the router, so the refused attempts cross the wire where the observer sees
                // them (the router's RSTs carry TTL 255). Inserted at the top in this order, so the
                // TCP rule ends up above the catch-all.
                let pair = (source: from.address.prefix32, destination: to.address.prefix32)
                changes.append(.packetFilter(IPTablesRule(
                    chain: "FORWARD", source: pair.source, destination: pair.destination, target: .reject(with: .icmpPortUnreachable)),
                    in: topology.routerNamespace))
                changes.append(.packetFilter(IPTablesRule(
                    chain: "FORWARD", source: pair.source, destination: pair.destination, transport: "tcp", target: .reject(with: .tcpReset)),
                    in: topology.routerNamespace))
            }
        }
        return PartitionPlan(mode: partition.mode, cuts: cuts, changes: changes)
    }
}
