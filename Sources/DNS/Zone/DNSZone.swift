import FaultlineCore
import ScenarioFormat

/// The names the scenario's DNS server is authoritative for: every host name (A), plus the
/// records the scenario declares. Built once per run; lookups are case-insensitive.
public struct DNSZone: Sendable {
    /// One record of a name: its TTL (seconds) and data.
    public struct Entry: Sendable, Equatable {
        public var ttl: UInt32
        public var data: DNSRecordDataWire
    }

    /// What a lookup found.
    public enum Lookup: Sendable, Equatable {
        /// The name is not in the zone.
        case unknownName
        /// The answer records (possibly CNAMEs followed by the target's records; empty for a
        /// name that exists without records of the type) and additional records (SRV targets).
        case found(answers: [DNSRecord], additionals: [DNSRecord])
    }

    /// TTL of the host names' own A records.
    public static let hostTTL: UInt32 = 30
    /// The longest CNAME chain followed inside the zone.
    public static let maxChain = 8

    public let unknown: UnknownNamePolicy
    /// Lowercased wire name → records, in declaration order.
    private var entries: [[UInt8]: [Entry]] = [:]
    /// The names as declared (for the history and error messages).
    public private(set) var names: [String] = []

    /// The zone for `hosts` (name → address) and the scenario's `dns:` settings; throws for a
    /// name that is not a valid DNS name or an A record naming an unknown host.
    public init(hosts: [String: IPv4Address], settings: DNSSettings) throws {
        self.unknown = settings.unknown
        for (host, address) in hosts.sorted(by: { $0.key < $1.key }) {
            try add(host, Entry(ttl: Self.hostTTL, data: .a(address.value)))
        }
        for spec in settings.records {
            let ttl = UInt32(clamping: max(0, spec.ttl.nanoseconds / 1_000_000_000))
            let data: DNSRecordDataWire
            switch spec.data {
            case .a(let value): data = try Self.addressData(value, hosts: hosts)
            case .aaaa(let a): data = .aaaa(a.bytes)
            case .cname(let target): data = .cname(try Self.name(target))
            case .srv(let p, let w, let port, let target):
                data = .srv(priority: p, weight: w, port: port, target: try Self.name(target))
            case .txt(let strings): data = .txt(strings.map { Array($0.utf8) })
            }
            try add(spec.name, Entry(ttl: ttl, data: data))
        }
    }

    /// An A or AAAA record's data for a literal or a host's address.
    public static func addressData(_ value: DNSAddressValue, hosts: [String: IPv4Address]) throws -> DNSRecordDataWire {
        switch value {
        case .ipv4(let a): return .a(a.value)
        case .ipv6(let a): return .aaaa(a.bytes)
        case .host(let h):
            guard let a = hosts[h] else { throw DNSZoneError(name: h, reason: "is not a host of the scenario") }
            return .a(a.value)
        }
    }

    static func name(_ text: String) throws -> DNSName {
        guard let n = DNSName(text) else {
            throw DNSZoneError(name: text, reason: "is not a DNS name (labels of 1–63 bytes, at most 255 in all)")
        }
        return n
    }

    private mutating func add(_ owner: String, _ entry: Entry) throws {
        let key = try Self.name(owner).lowercasedWire
        if entries[key] == nil { names.append(owner) }
        entries[key, default: []].append(entry)
    }

    /// Whether the zone holds `name` (any type).
    public func contains(_ name: DNSName) -> Bool { entries[name.lowercasedWire] != nil }

    /// Looks `name` up for `type`, following CNAMEs inside the zone. Records are owned by the
    /// name as asked (case kept) so the answer echoes the question.
    public func lookup(_ name: DNSName, _ type: DNSType) -> Lookup {
        guard var current = entries[name.lowercasedWire] else { return .unknownName }
        var owner = name
        var answers: [DNSRecord] = []
        for _ in 0..<Self.maxChain {
            let matching = current.filter { $0.data.type == type }
            if !matching.isEmpty {
                answers += matching.map { DNSRecord(name: owner, ttl: $0.ttl, data: $0.data) }
                break
            }
            guard let alias = current.first(where: { $0.data.type == .cname }), case .cname(let target) = alias.data
            else { break }
            answers.append(DNSRecord(name: owner, ttl: alias.ttl, data: alias.data))
            guard let next = entries[target.lowercasedWire] else { break }
            owner = target
            current = next
        }
        var additionals: [DNSRecord] = []
        for case .srv(_, _, _, let target) in answers.map(\.data) {
            for e in entries[target.lowercasedWire] ?? [] where e.data.type == .a || e.data.type == .aaaa {
                additionals.append(DNSRecord(name: target, ttl: e.ttl, data: e.data))
            }
        }
        return .found(answers: answers, additionals: additionals)
    }
}

/// A zone could not be built: a name or a reference in the scenario's records is wrong.
public struct DNSZoneError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var reason: String
    public var description: String { "building the DNS zone: '\(name)' \(reason)" }
}
