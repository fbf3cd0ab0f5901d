/// Why a DNS message could not be read or written.
///
/// Reading never traps: every malformed input ends in one of these, which the server answers
/// with FORMERR (or ignores when not even the header is there).
public enum DNSWireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message ended inside a field (`what` names it).
    case truncated(what: String, offset: Int)
    /// A label longer than 63 bytes, or a reserved label type (0x40, 0x80).
    case badLabel(length: UInt8, offset: Int)
    /// The name is longer than 255 bytes once decompressed.
    case nameTooLong(offset: Int)
    /// A compression pointer that does not point strictly backwards (a loop), or too many of them.
    case badPointer(target: Int, offset: Int)
    /// A record's data length does not match what its type needs.
    case badRecordData(type: UInt16, offset: Int)
    /// The header counts more records than the message holds, or bytes follow the last record.
    case countMismatch(String)
    /// A message to write exceeds 65535 bytes.
    case messageTooLong

    public var description: String {
        switch self {
        case .truncated(let what, let offset): "message ends inside \(what) at byte \(offset)"
        case .badLabel(let length, let offset): "label length byte 0x\(String(length, radix: 16)) at byte \(offset)"
        case .nameTooLong(let offset): "name longer than 255 bytes at byte \(offset)"
        case .badPointer(let target, let offset): "compression pointer to \(target) at byte \(offset) does not point backwards"
        case .badRecordData(let type, let offset): "record data of type \(type) malformed at byte \(offset)"
        case .countMismatch(let s): "counts do not match the message: \(s)"
        case .messageTooLong: "message longer than 65535 bytes"
        }
    }
}
