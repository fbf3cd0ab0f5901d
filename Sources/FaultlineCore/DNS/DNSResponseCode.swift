/// A DNS response code (RFC 1035 §4.1.1, RFC 6891 for the extended ones), shared by the DNS
/// server, the wire decoder, the history and the checks.
///
/// Encoded as its mnemonic (`"NXDOMAIN"`), or RFC 3597-style `"RCODE12"` for one without.
public enum DNSResponseCode: Hashable, Sendable, CustomStringConvertible, Codable {
    case noError, formErr, servFail, nxDomain, notImp, refused
    /// Extended (needs OPT): the query's EDNS version is not supported.
    case badVers
    /// A code without a mnemonic here; ``init(rawValue:)`` makes it only for such codes.
    case other(UInt16)

    /// The code as it travels: 4 bits in the header, 8 more in OPT's TTL.
    public init(rawValue: UInt16) {
        self = Self.named.first { $0.code.rawValue == rawValue }?.code ?? .other(rawValue)
    }

    /// Reads ``description`` back; nil for text that names no code.
    public init?(mnemonic: String) {
        if let known = Self.named.first(where: { $0.name == mnemonic }) {
            self = known.code
        } else if mnemonic.hasPrefix("RCODE"), let n = UInt16(mnemonic.dropFirst("RCODE".count)) {
            self.init(rawValue: n)
        } else {
            return nil
        }
    }

    public var rawValue: UInt16 {
        switch self {
        case .noError: 0
        case .formErr: 1
        case .servFail: 2
        case .nxDomain: 3
        case .notImp: 4
        case .refused: 5
        case .badVers: 16
        case .other(let code): code
        }
    }

    private static let named: [(code: DNSResponseCode, name: String)] = [
        (.noError, "NOERROR"), (.formErr, "FORMERR"), (.servFail, "SERVFAIL"), (.nxDomain, "NXDOMAIN"),
        (.notImp, "NOTIMP"), (.refused, "REFUSED"), (.badVers, "BADVERS"),
    ]

    /// `NOERROR`, `NXDOMAIN`, … or `RCODE12`.
    public var description: String {
        Self.named.first { $0.code == self }?.name ?? "RCODE\(rawValue)"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let code = DNSResponseCode(mnemonic: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a DNS response code: \(text)"))
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
