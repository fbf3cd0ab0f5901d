import FaultlineCore
/// A DNS fault: queries matching `name`/`type`/`hosts` are answered otherwise while it lasts.
///
/// ```yaml
/// dns: { name: "*.service.consul", type: A, hosts: [client], answer: [198.18.9.9], first: 3 }
/// ```
public struct DNSHijack: Codable, Sendable, Equatable {
    /// An exact name (`consul.service.consul`) or a wildcard (`*.service.consul`, any depth below).
    public var name: String
    /// The query type it applies to; nil for any.
    public var type: DNSRecordType?
    /// Only queries from these hosts; nil for every host.
    public var hosts: [String]?
    public var action: DNSHijackAction
    /// Forged TTL for every answer record the fault shapes (with `answer`, or alone).
    public var ttl: TimeSpan?
    /// Only the first N matching queries.
    public var first: Int?
    /// Each matching query is affected with this probability, drawn from the scenario's seed.
    public var probability: Percentage?

    public init(
        name: String, type: DNSRecordType? = nil, hosts: [String]? = nil, action: DNSHijackAction,
        ttl: TimeSpan? = nil, first: Int? = nil, probability: Percentage? = nil
    ) {
        self.name = name
        self.type = type
        self.hosts = hosts
        self.action = action
        self.ttl = ttl
        self.first = first
        self.probability = probability
    }
}

/// What a hijack does to a matching query.
public enum DNSHijackAction: Codable, Sendable, Equatable {
    /// Answer with these addresses instead of the true ones.
    case answer([DNSAddressValue])
    /// Answer with an error code.
    case rcode(DNSErrorCode)
    /// No answer at all: the client's resolver times out and retries.
    case drop
    /// The true answer, late.
    case delay(TimeSpan)
    /// Over UDP an empty answer with TC set, so the client retries over TCP (which answers truly).
    case truncate
    /// The true answer with its TTLs replaced (the fault's `ttl`).
    case shapeTTL

    public var keyword: String {
        switch self {
        case .answer: "answer"
        case .rcode(let c): c.rawValue
        case .drop: "drop"
        case .delay: "delay"
        case .truncate: "truncate"
        case .shapeTTL: "ttl"
        }
    }
}

/// The error answers a hijack can give.
public enum DNSErrorCode: String, Codable, Sendable, CaseIterable {
    case nxdomain, servfail, refused
}
