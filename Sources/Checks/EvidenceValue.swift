/// One measured value behind a verdict: a number, a string or a flag.
///
/// Encoded as the bare JSON value (`0.625`, `"exit 1"`, `true`) so a report reads naturally.
/// Times are numbers of seconds, and their keys say so (`recoverySeconds`).
public enum EvidenceValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        // Bool before Double: some decoders read `true` as 1.
        if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .bool(let b): try c.encode(b)
        }
    }

    public var description: String {
        switch self {
        case .number(let n): Format.number(n)
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        }
    }
}

extension EvidenceValue: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
