import Netlink

/// A rule in the `filter` table: reject packets to a destination (partitions), or steer a pair's
/// packets to an NFQUEUE (the userspace link engine).
///
/// Equivalent to: `iptables -w -I OUTPUT -d DST [-p tcp] -j REJECT --reject-with WITH`, or
/// `iptables -w -A FORWARD -s SRC -d DST [-p P [-m multiport --ports P1,P2]] -j NFQUEUE --queue-num N --queue-bypass`.
public struct IPTablesRule: Hashable, Sendable {
    /// How a command changes the chain.
    public enum Verb: String, Sendable {
        /// `-I`: at the top, so the rule wins over those below.
        case insert = "-I"
        /// `-A`: at the end, so rules inserted above still win.
        case append = "-A"
        /// `-D`: the first rule that matches this one exactly.
        case delete = "-D"
    }

    /// What REJECT answers a matching packet with (`--reject-with`).
    public enum RejectType: String, Sendable {
        /// As a router without a route: the sender sees EHOSTUNREACH.
        case icmpHostUnreachable = "icmp-host-unreachable"
        /// As a host with nothing listening on a UDP port: ECONNREFUSED.
        case icmpPortUnreachable = "icmp-port-unreachable"
        /// A TCP RST: ECONNREFUSED at once.
        case tcpReset = "tcp-reset"
    }

    /// What a matching packet meets.
    public enum Target: Hashable, Sendable {
        /// `-j REJECT --reject-with WITH`.
        case reject(with: RejectType)
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

    public init(chain: String = "OUTPUT", destination: IPv4Prefix, transport: String? = nil, rejectWith: RejectType) {
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

    /// How the rule is added: at the top of the chain for REJECT, so it wins; at the end for
    /// NFQUEUE, so partitions inserted above still cut.
    public var addVerb: Verb {
        switch target {
        case .reject: .insert
        case .queue: .append
        }
    }

    /// The arguments to `iptables` that change the chain by `verb` with this rule.
    public func arguments(_ verb: Verb) -> [String] {
        var args = ["-w", verb.rawValue, chain]
        if let source { args += ["-s", source.description] }
        args += ["-d", destination.description]
        if let transport { args += ["-p", transport] }
        if !ports.isEmpty { args += ["-m", "multiport", "--ports", ports.map(String.init).joined(separator: ",")] }
        switch target {
        case .reject(let with): args += ["-j", "REJECT", "--reject-with", with.rawValue]
        case .queue(let number): args += ["-j", "NFQUEUE", "--queue-num", "\(number)", "--queue-bypass"]
        }
        return args
    }
}
