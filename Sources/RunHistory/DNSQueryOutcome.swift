import FaultlineCore

/// What the scenario's DNS server did with one query: answered it with a response code, dropped
/// it because a fault withheld the answer, or ignored input not worth answering.
///
/// Encoded as one string, as the history has always carried it: `"NXDOMAIN"`, `"dropped"`, `"ignored"`.
public enum DNSQueryOutcome: Hashable, Sendable, CustomStringConvertible, Codable {
    case answered(DNSResponseCode)
    /// A fault withheld the answer; the client times out.
    case dropped
    /// Not a query worth answering (no whole header, or a response).
    case ignored

    /// Reads ``description`` back; nil for text that is none of them.
    public init?(_ text: String) {
        switch text {
        case "dropped": self = .dropped
        case "ignored": self = .ignored
        default:
            guard let code = DNSResponseCode(mnemonic: text) else { return nil }
            self = .answered(code)
        }
    }

    /// The response code sent; nil when nothing was.
    public var responseCode: DNSResponseCode? {
        switch self {
        case .answered(let code): code
        case .dropped, .ignored: nil
        }
    }

    public var description: String {
        switch self {
        case .answered(let code): code.description
        case .dropped: "dropped"
        case .ignored: "ignored"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let outcome = DNSQueryOutcome(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a DNS query outcome: \(text)"))
        }
        self = outcome
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
