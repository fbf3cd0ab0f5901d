import FaultlineCore
/// The scenario's DNS zone and server settings (`dns:` at the top of the file).
///
/// Every host name resolves without being declared; `records` adds names of the scenario's own
/// (Consul-style service names, SRV records, aliases).
public struct DNSSettings: Codable, Sendable, Equatable {
    /// Records the zone serves besides the host names.
    public var records: [DNSRecordSpec]
    /// How the server answers a name outside the zone.
    public var unknown: UnknownNamePolicy
    /// Resolver addresses hard-coded in clients: packets to them reach Faultline's server.
    public var intercept: [IPv4Address]

    public init(records: [DNSRecordSpec] = [], unknown: UnknownNamePolicy = .nxdomain, intercept: [IPv4Address] = []) {
        self.records = records
        self.unknown = unknown
        self.intercept = intercept
    }
}

/// The answer to a name outside the zone.
public enum UnknownNamePolicy: String, Codable, Sendable, CaseIterable {
    /// The name does not exist (what an authoritative server says).
    case nxdomain
    /// The server will not answer for it (what dnsmasq and locked-down resolvers say).
    case refused
}

/// The record types a scenario may declare.
public enum DNSRecordType: String, Codable, Sendable, CaseIterable {
    case a = "A", aaaa = "AAAA", cname = "CNAME", srv = "SRV", txt = "TXT"
}

/// One declared record: `{ name: consul.service.consul, type: A, value: 198.18.0.3, ttl: 30s }`.
public struct DNSRecordSpec: Codable, Sendable, Equatable {
    /// The owner name, without the trailing dot.
    public var name: String
    public var ttl: TimeSpan
    public var data: DNSRecordData

    public init(name: String, ttl: TimeSpan = .seconds(60), data: DNSRecordData) {
        self.name = name
        self.ttl = ttl
        self.data = data
    }

    public var type: DNSRecordType { data.type }
}

/// A record's data, already parsed.
public enum DNSRecordData: Codable, Sendable, Equatable {
    /// An IPv4 address, or a scenario host whose address the testbed gives.
    case a(DNSAddressValue)
    case aaaa(IPv6Address)
    case cname(target: String)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
    case txt([String])

    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .cname: .cname
        case .srv: .srv
        case .txt: .txt
        }
    }
}

/// An address in a record or a forged answer: a literal, or a scenario host's own address.
public enum DNSAddressValue: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    case ipv4(IPv4Address)
    case ipv6(IPv6Address)
    case host(String)

    public var description: String {
        switch self {
        case .ipv4(let a): a.description
        case .ipv6(let a): a.description
        case .host(let h): h
        }
    }
}

/// A host's resolver options, written to its `/etc/resolv.conf` (`dns: { timeout: 1s, attempts: 2 }`).
public struct ResolverOptions: Codable, Sendable, Equatable {
    /// glibc's `timeout:` (whole seconds, 1…30): how long one try waits for an answer.
    public var timeout: TimeSpan
    /// glibc's `attempts:` (1…5): how many times each server is tried.
    public var attempts: Int

    public static let `default` = ResolverOptions(timeout: .seconds(1), attempts: 2)

    public init(timeout: TimeSpan = .seconds(1), attempts: Int = 2) {
        self.timeout = timeout
        self.attempts = attempts
    }
}
