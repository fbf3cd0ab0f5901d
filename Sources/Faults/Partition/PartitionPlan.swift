import LinuxSystem
import Netlink
import ScenarioFormat

/// A partition compiled for one testbed: the directed cuts, and each concrete change with the
/// namespace it lives in, in the order they are applied.
public struct PartitionPlan: Sendable, Equatable {
    public var mode: PartitionMode
    /// The cuts, without duplicates, in the order given.
    public var cuts: [DirectedPair]
    public var changes: [PartitionChange]
}

/// One change a partition makes.
public enum PartitionChange: Sendable, Equatable, CustomStringConvertible {
    /// A FIB rule: `ip -n NS rule add …`.
    case fibRule(FIBRule, in: NetworkNamespace)
    /// A netfilter rule: `ip netns exec NS iptables -w -I …`.
    case packetFilter(IPTablesRule, in: NetworkNamespace)

    public var namespace: NetworkNamespace {
        switch self {
        case .fibRule(_, let ns), .packetFilter(_, let ns): ns
        }
    }

    /// The shell command that makes the same change.
    public var applyCommand: String {
        switch self {
        case .fibRule(let rule, let ns): "ip -n \(ns.name) rule add \(rule)"
        case .packetFilter(let rule, let ns): "ip netns exec \(ns.name) iptables \(rule.arguments(rule.addVerb).joined(separator: " "))"
        }
    }

    /// The shell command that undoes it.
    public var healCommand: String {
        switch self {
        case .fibRule(let rule, let ns): "ip -n \(ns.name) rule del \(rule)"
        case .packetFilter(let rule, let ns): "ip netns exec \(ns.name) iptables \(rule.arguments(.delete).joined(separator: " "))"
        }
    }

    public var description: String { applyCommand }
}
