import FaultlineCore
/// A degraded link: delay, jitter, loss, duplication, corruption, reordering and a bandwidth cap on
/// the traffic of directed pairs, applied in the router on its way to the receiver.
///
/// Every effect is optional, but a link fault has at least one.
public struct LinkFault: Codable, Sendable, Equatable {
    /// The directed pairs affected; `between: [a, b]` gives both directions.
    public var pairs: [DirectedPair]
    /// Added one-way delay.
    public var delay: TimeSpan?
    /// Random variation around `delay` (uniform ±jitter, or the distribution's standard deviation).
    public var jitter: TimeSpan?
    /// How much each jitter draw leans on the previous one, as netem's delay correlation.
    public var correlation: Percentage?
    /// The shape of the jitter.
    public var distribution: DelayDistribution
    public var loss: LossModel?
    /// The share of packets sent twice.
    public var duplicate: Percentage?
    /// The share of packets with one flipped bit.
    public var corrupt: Percentage?
    public var reorder: Reorder?
    /// A bandwidth cap per pair.
    public var rate: Bitrate?
    /// Only traffic to or from these TCP/UDP ports; empty: all traffic of the pair.
    public var ports: [UInt16]
    /// Only this transport protocol; nil: every protocol (with `ports`: TCP and UDP).
    public var transport: TransportProtocol?
    /// Which engine plays the fault.
    public var engine: LinkEngineChoice

    public init(
        pairs: [DirectedPair], delay: TimeSpan? = nil, jitter: TimeSpan? = nil, correlation: Percentage? = nil,
        distribution: DelayDistribution = .uniform, loss: LossModel? = nil, duplicate: Percentage? = nil,
        corrupt: Percentage? = nil, reorder: Reorder? = nil, rate: Bitrate? = nil, ports: [UInt16] = [],
        transport: TransportProtocol? = nil, engine: LinkEngineChoice = .auto
    ) {
        self.pairs = pairs
        self.delay = delay
        self.jitter = jitter
        self.correlation = correlation
        self.distribution = distribution
        self.loss = loss
        self.duplicate = duplicate
        self.corrupt = corrupt
        self.reorder = reorder
        self.rate = rate
        self.ports = ports
        self.transport = transport
        self.engine = engine
    }

    /// Whether anything besides `rate` needs a per-packet engine (netem or the userspace delay line).
    public var needsPacketEngine: Bool {
        delay != nil || jitter != nil || loss != nil || duplicate != nil || corrupt != nil || reorder != nil
    }
}

/// The shape of a link fault's jitter; netem's `distribution` tables.
public enum DelayDistribution: String, Codable, Sendable, CaseIterable {
    case uniform, normal, pareto, paretonormal
}

/// Which packets a link fault loses.
public enum LossModel: Codable, Sendable, Equatable {
    /// Each packet independently, with this probability (`loss: 1%`).
    case random(Percentage)
    /// Bursts: a two-state Markov chain (netem's `loss gemodel p r 1-h 1-k`).
    case gilbertElliott(GilbertElliott)
}

/// A Gilbert-Elliott loss model: a good and a bad state, each losing packets at its own rate.
public struct GilbertElliott: Codable, Sendable, Equatable {
    /// The probability of moving from the good to the bad state, per packet.
    public var p: Percentage
    /// The probability of moving from the bad back to the good state, per packet; bursts last 1/r packets.
    public var r: Percentage
    /// The probability that a packet gets through in the bad state (default 0 %).
    public var h: Percentage
    /// The probability that a packet gets through in the good state (default 100 %).
    public var k: Percentage

    public init(p: Percentage, r: Percentage, h: Percentage = Percentage(fraction: 0), k: Percentage = Percentage(fraction: 1)) {
        self.p = p
        self.r = r
        self.h = h
        self.k = k
    }
}

/// Reordering as netem does it: a chosen packet skips the delay and overtakes the ones before it.
public struct Reorder: Codable, Sendable, Equatable {
    /// The probability that an eligible packet is sent at once.
    public var percent: Percentage
    /// Only every `gap`-th packet at most is eligible (1: every packet).
    public var gap: Int

    public init(percent: Percentage, gap: Int = 1) {
        self.percent = percent
        self.gap = gap
    }
}

/// A transport protocol a link fault can be limited to.
public enum TransportProtocol: String, Codable, Sendable, CaseIterable {
    case tcp, udp, icmp

    /// The IP protocol number.
    public var number: UInt8 {
        switch self {
        case .tcp: 6
        case .udp: 17
        case .icmp: 1
        }
    }
}

/// The engine a link fault asks for.
public enum LinkEngineChoice: String, Codable, Sendable, CaseIterable {
    /// netem when the kernel has it, unless the scenario is `deterministic`; else userspace.
    case auto
    /// Kernel qdiscs (netem under htb); the run stops if the kernel lacks netem.
    case netem
    /// The seeded NFQUEUE delay line; reproducible run after run.
    case userspace
}
