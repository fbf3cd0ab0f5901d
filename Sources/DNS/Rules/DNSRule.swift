import FaultlineCore
import ScenarioFormat

/// One active hijack, compiled for matching on the wire: the fault's name, its pattern as
/// lowercased wire bytes, its forged answers, and the state behind `first:` and `probability:`.
///
/// Immutable: the state behind `first:` and `probability:` (``Claims``) is kept by the
/// ``DNSRuleSet`` the rule is installed in, under its lock.
public final class DNSRule: Sendable {
    public let fault: String
    public let hijack: DNSHijack
    /// Lowercased wire form of the name, or of the suffix below `*.`.
    private let pattern: [UInt8]
    private let wildcard: Bool
    private let type: DNSType?
    private let hosts: Set<String>?
    /// The forged records' data for `answer:`.
    public let forged: [DNSRecordDataWire]
    /// The rule's seeded stream as it starts, for the `probability:` draws.
    let stream: SeededRandom

    /// What the rule has decided so far: the queries it shaped and where its stream stands.
    struct Claims: Sendable {
        /// How many queries the rule has shaped so far.
        var affected = 0
        var random: SeededRandom
    }

    /// - Parameters:
    ///   - seed: the scenario's seed; the fault's name picks its own stream from it.
    ///   - hosts: host name → address, for answers naming a host.
    public init(fault: String, hijack: DNSHijack, seed: UInt64, hosts: [String: IPv4Address]) throws {
        self.fault = fault
        self.hijack = hijack
        var text = hijack.name
        wildcard = text.hasPrefix("*.")
        if wildcard { text.removeFirst(2) }
        pattern = try DNSZone.name(text).lowercasedWire
        type = hijack.type.map(Self.wireType)
        self.hosts = hijack.hosts.map(Set.init)
        if case .answer(let values) = hijack.action {
            forged = try values.map { try DNSZone.addressData($0, hosts: hosts) }
        } else {
            forged = []
        }
        stream = SeededRandom(seed: seed, stream: fault)
    }

    static func wireType(_ t: DNSRecordType) -> DNSType {
        switch t {
        case .a: .a
        case .aaaa: .aaaa
        case .cname: .cname
        case .srv: .srv
        case .txt: .txt
        }
    }

    /// Whether a query for `name` (lowercased wire) of `qtype` from `host` is one this rule is about.
    public func matches(name: [UInt8], type qtype: DNSType, host: String?, transport: DNSTransport) -> Bool {
        if let type, type != qtype { return false }
        if let hosts {
            guard let host, hosts.contains(host) else { return false }
        }
        // Truncation sends the client to TCP, where the true answer must come.
        if case .truncate = hijack.action, transport == .tcp { return false }
        if wildcard {
            return name.count > pattern.count && name.suffix(pattern.count).elementsEqual(pattern)
                && Self.labelBoundary(name, at: name.count - pattern.count)
        }
        return name == pattern
    }

    /// Whether `offset` starts a label of `name` (so `*.consul` never matches `xconsul`).
    private static func labelBoundary(_ name: [UInt8], at offset: Int) -> Bool {
        var i = 0
        while i < offset { i += 1 + Int(name[i]) }
        return i == offset
    }

    /// Decides, for a matching query, whether the rule shapes it: `first:` stops it after N,
    /// and `probability:` draws from the rule's seeded stream (a draw per matching query).
    func claim(_ claims: inout Claims) -> Bool {
        if let first = hijack.first, claims.affected >= first { return false }
        if let p = hijack.probability, claims.random.unit() >= p.fraction { return false }
        claims.affected += 1
        return true
    }
}

/// How a query arrived.
public enum DNSTransport: String, Sendable, Equatable {
    case udp, tcp
}
