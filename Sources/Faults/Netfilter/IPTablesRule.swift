import Netlink

/// A rule in the `filter` table that rejects packets to one destination.
///
/// Equivalent to: `iptables -w -I OUTPUT -d DST [-p tcp] -j REJECT --reject-with WITH`.
public struct IPTablesRule: Hashable, Sendable {
    public var chain: String
    public var destination: IPv4Prefix
    /// `tcp` to match TCP only; nil matches every protocol.
    public var transport: String?
    /// `tcp-reset`, `icmp-port-unreachable`, …
    public var rejectWith: String

    public init(chain: String = "OUTPUT", destination: IPv4Prefix, transport: String? = nil, rejectWith: String) {
        self.chain = chain
        self.destination = destination
        self.transport = transport
        self.rejectWith = rejectWith
    }

    /// The arguments to `iptables` that insert (at the top of the chain) or delete the rule.
    public func arguments(inserting: Bool) -> [String] {
        var args = ["-w", inserting ? "-I" : "-D", chain, "-d", destination.description]
        if let transport { args += ["-p", transport] }
        return args + ["-j", "REJECT", "--reject-with", rejectWith]
    }
}
