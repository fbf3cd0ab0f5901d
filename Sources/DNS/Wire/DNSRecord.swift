import FaultlineCore
/// A question: the name and type asked for (RFC 1035 §4.1.2).
public struct DNSQuestion: Sendable, Equatable {
    public var name: DNSName
    public var type: DNSType
    public var qclass: UInt16

    public init(name: DNSName, type: DNSType, qclass: UInt16 = DNSRecord.classIN) {
        self.name = name
        self.type = type
        self.qclass = qclass
    }
}

/// A resource record (RFC 1035 §4.1.3); OPT pseudo-records (RFC 6891) come through ``DNSEDNS``.
public struct DNSRecord: Sendable, Equatable {
    public static let classIN: UInt16 = 1

    public var name: DNSName
    public var rclass: UInt16
    public var ttl: UInt32
    public var data: DNSRecordDataWire

    public init(name: DNSName, rclass: UInt16 = DNSRecord.classIN, ttl: UInt32, data: DNSRecordDataWire) {
        self.name = name
        self.rclass = rclass
        self.ttl = ttl
        self.data = data
    }

    public var type: DNSType { data.type }

    /// `A 198.18.0.3`, `SRV 10 5 8500 api.`: the form the history keeps.
    public var summary: String { "\(type) \(data)" }
}

/// A record's data in the types the server serves; anything else is kept as raw bytes.
public enum DNSRecordDataWire: Sendable, Equatable, CustomStringConvertible {
    case a(UInt32)
    case aaaa([UInt8])
    case cname(DNSName)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    /// Character-strings of at most 255 bytes each.
    case txt([[UInt8]])
    case other(type: DNSType, bytes: [UInt8])

    public var type: DNSType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .cname: .cname
        case .srv: .srv
        case .txt: .txt
        case .other(let t, _): t
        }
    }

    public var description: String {
        switch self {
        case .a(let v): IPv4Address(v).description
        case .aaaa(let b):
            stride(from: 0, to: 16, by: 2).map { String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        case .cname(let n): n.description
        case .srv(let p, let w, let port, let t): "\(p) \(w) \(port) \(t)"
        case .txt(let strings):
            strings.map { "\"" + String(decoding: $0, as: UTF8.self) + "\"" }.joined(separator: " ")
        case .other(_, let bytes): "\\# \(bytes.count)"
        }
    }
}

/// The EDNS0 OPT pseudo-record's meaning (RFC 6891 §6.1.2).
public struct DNSEDNS: Sendable, Equatable {
    /// The largest UDP payload the sender can receive.
    public var udpPayloadSize: UInt16
    /// The upper 8 bits of the 12-bit response code.
    public var extendedRcode: UInt8
    public var version: UInt8
    /// DNSSEC OK.
    public var dnssecOK: Bool
    /// Options, kept as (code, data) and not interpreted.
    public var options: [(code: UInt16, data: [UInt8])]

    public init(udpPayloadSize: UInt16 = 1232, extendedRcode: UInt8 = 0, version: UInt8 = 0, dnssecOK: Bool = false,
                options: [(code: UInt16, data: [UInt8])] = []) {
        self.udpPayloadSize = udpPayloadSize
        self.extendedRcode = extendedRcode
        self.version = version
        self.dnssecOK = dnssecOK
        self.options = options
    }

    public static func == (a: DNSEDNS, b: DNSEDNS) -> Bool {
        a.udpPayloadSize == b.udpPayloadSize && a.extendedRcode == b.extendedRcode && a.version == b.version
            && a.dnssecOK == b.dnssecOK && a.options.map(\.code) == b.options.map(\.code)
            && a.options.map(\.data) == b.options.map(\.data)
    }
}

/// A whole message: header, the four sections, and EDNS when an OPT record was present.
public struct DNSMessage: Sendable, Equatable {
    public var header: DNSHeader
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authorities: [DNSRecord]
    /// Additional records other than OPT.
    public var additionals: [DNSRecord]
    public var edns: DNSEDNS?

    public init(
        header: DNSHeader, questions: [DNSQuestion] = [], answers: [DNSRecord] = [],
        authorities: [DNSRecord] = [], additionals: [DNSRecord] = [], edns: DNSEDNS? = nil
    ) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
        self.edns = edns
    }

    /// The full 12-bit response code (header bits and OPT's extension).
    public var rcode: DNSResponseCode {
        DNSResponseCode(rawValue: UInt16(edns?.extendedRcode ?? 0) << 4 | UInt16(header.rcode))
    }
}
