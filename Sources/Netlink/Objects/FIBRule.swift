/// An IPv4 policy-routing rule (`ip rule`): which traffic it selects and what happens to it.
///
/// Equivalent to: `ip -n NS rule add [from SRC] [to DST] ACTION priority PRIO`.
public struct FIBRule: Hashable, Sendable, CustomStringConvertible {
    /// Selects by source; nil matches every source.
    public var source: IPv4Prefix?
    /// Selects by destination; nil matches every destination.
    public var destination: IPv4Prefix?
    public var action: FIBRuleAction
    /// Lower runs first; the kernel's own rules sit at 0, 32766 and 32767.
    public var priority: UInt32

    public init(from source: IPv4Prefix? = nil, to destination: IPv4Prefix? = nil, action: FIBRuleAction, priority: UInt32) {
        self.source = source
        self.destination = destination
        self.action = action
        self.priority = priority
    }

    /// The selector and action as `ip rule` spells them: `from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100`.
    public var description: String {
        var parts: [String] = []
        if let source { parts.append("from \(source)") }
        if let destination { parts.append("to \(destination)") }
        if parts.isEmpty { parts.append("from all") }
        parts.append(action.description)
        parts.append("priority \(priority)")
        return parts.joined(separator: " ")
    }
}

/// What a FIB rule does with the traffic it selects.
public enum FIBRuleAction: Hashable, Sendable, CustomStringConvertible {
    /// FR_ACT_BLACKHOLE: drop silently.
    case blackhole
    /// FR_ACT_PROHIBIT: fail with EACCES (locally) or ICMP administratively prohibited.
    case prohibit
    /// FR_ACT_UNREACHABLE: fail with EHOSTUNREACH (locally) or ICMP host unreachable.
    case unreachable
    /// FR_ACT_TO_TBL: look the destination up in `table`.
    case lookup(table: UInt32)

    public var description: String {
        switch self {
        case .blackhole: "blackhole"
        case .prohibit: "prohibit"
        case .unreachable: "unreachable"
        case .lookup(let table): "lookup \(table)"
        }
    }
}
