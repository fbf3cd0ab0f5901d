import LinuxSystem
import Netlink
import ScenarioFormat

/// How a link fault is played.
public enum LinkEngine: String, Sendable, Equatable {
    /// netem leaf qdiscs under per-pair HTB classes on the router's egress veth.
    case netem
    /// The seeded NFQUEUE delay line in the router (plus an HTB class per pair for `rate`).
    case userspace
    /// `rate` alone: an HTB class per pair, no per-packet engine.
    case htb
}

/// A link fault compiled for one testbed (pure data): its engine, its lanes, and the tc changes
/// in the order they are applied.
public struct LinkPlan: Sendable, Equatable {
    public var engine: LinkEngine
    public var fault: LinkFault
    public var router: NetworkNamespace
    public var lanes: [LinkLane]
    /// Root HTB qdiscs (shared by every link fault on that device), added if absent, removed by the last user.
    public var roots: [Qdisc]
    /// Classes, leaf qdiscs and filters of this fault only, in apply order.
    public var shaping: [ShapingChange]

    /// Every change as the shell command that makes it, for the history and the report.
    public var commands: [String] {
        roots.map { "tc -n \(router.name) qdisc add \($0)" }
            + shaping.map { $0.applyCommand(in: router) }
            + lanes.flatMap { lane in lane.steering.map { "ip netns exec \(router.name) iptables \($0.arguments($0.addVerb).joined(separator: " "))" } }
    }
}

/// One directed pair of a link fault: its addresses, its NFQUEUE number and the steering rules
/// that feed it (empty unless the engine is userspace).
public struct LinkLane: Sendable, Equatable {
    public var pair: DirectedPair
    public var source: IPv4Prefix
    public var destination: IPv4Prefix
    public var queue: UInt16
    public var steering: [IPTablesRule]
}

/// One tc change of a link fault.
public enum ShapingChange: Sendable, Equatable {
    case trafficClass(TrafficClass)
    case leaf(Qdisc)
    case filter(U32Filter)

    public func applyCommand(in ns: NetworkNamespace) -> String {
        switch self {
        case .trafficClass(let c): "tc -n \(ns.name) class add \(c)"
        case .leaf(let q): "tc -n \(ns.name) qdisc add \(q)"
        case .filter(let f): "tc -n \(ns.name) filter add \(f)"
        }
    }
}
