import Foundation

/// How a process ended: an exit code or the signal that killed it (from `waitpid`, or read back
/// from a history). Encoded as its description,
/// `"exit 0"` or `"signal 15"`, so a history line stays flat.
public enum ExitStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        let parts = text.split(separator: " ")
        guard parts.count == 2, let n = Int32(parts[1]) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an exit status: \(text)")
        }
        switch parts[0] {
        case "exit": self = .exited(n)
        case "signal": self = .signaled(n)
        default: throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an exit status: \(text)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public var description: String {
        switch self {
        case .exited(let c): "exit \(c)"
        case .signaled(let s): "signal \(s)"
        }
    }
}
