import Netlink

/// A rule in the `filter` table: reject packets to a destination (partitions), or steer a pair's
/// packets to an NFQUEUE (the userspace link engine).
///
/// Equivalent to: `iptables -w -I OUTPUT -d DST [-p tcp] -j REJECT --reject-with WITH`, or
/// `iptables -w -A FORWARD -s SRC -d DST [-p P [-m multiport --ports P1,P2]] -j NFQUEUE --queue-num N --queue-bypass`.
public struct IPTablesRule: Hashable, Sendable {
    /// What a matching packet meets.
    public enum Target: Hashable, Sendable {
        /// `-j REJECT --reject-with WITH` (`tcp-reset`, `icmp-port-unreachable`, …).
        case reject(with: String)
        /// `-j NFQUEUE --queue-num N --queue-bypass`: to userspace, or through untouched when no
        /// reader is bound (so a crashed engine fails open, never black-holes the pair).
        case queue(number: UInt16)
    }

    public var chain: String
    public var source: IPv4Prefix?
    public var destination: IPv4Prefix
    /// `tcp`, `udp`, `icmp` to match one protocol; nil matches every protocol.
    public var transport: String?
    /// TCP/UDP ports matched as source or destination (`-m multiport --ports`); needs `transport`.
    public var ports: [UInt16]
    public var target: Target

    public init(chain: String = "OUTPUT", destination: IPv4Prefix, transport: String? = nil, rejectWith: String) {
        self.init(chain: chain, source: nil, destination: destination, transport: transport, target: .reject(with: rejectWith))
    }

    public init(chain: String, source: IPv4Prefix?, destination: IPv4Prefix, transport: String? = nil, ports: [UInt16] = [], target: Target) {
        self.chain = chain
        self.source = source
        self.destination = destination
        self.transport = transport
        self.ports = ports
        self.target = target
    }

    /// The arguments to `iptables` that add (at the top of the chain for REJECT, so it wins; at
    /// the end for NFQUEUE, so partitions inserted above still cut) or delete the rule.
    public func arguments(inserting: Bool) -> [String] {
        var args = ["-w"]
        switch target {
        case .reject: args += [inserting ? "-I" : "-D", chain]
        case .queue: args += [inserting ? "-A" : "-D", chain]
        }
        if let source { args += ["-s", source.description] }
        args += ["-d", destination.description]
        if let transport { args += ["-p", transport] }
        if !ports.isEmpty { args += ["-m", "multiport", "--ports", ports.map(String.init).joined(separator: ",")] }
        switch target {
        case .reject(let with): args += ["-j", "REJECT", "--reject-with", with]
        case .queue(let number): args += ["-j", "NFQUEUE", "--queue-num", "\(number)", "--queue-bypass"]
        }
        return args
    }
}
