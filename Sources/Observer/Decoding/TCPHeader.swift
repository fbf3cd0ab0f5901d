/// A TCP header (RFC 9293): ports, sequence numbers and flags.
public struct TCPHeader: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequence: UInt32
    public var acknowledgment: UInt32
    public var flags: Flags
    public var headerLength: Int

    /// The control bits.
    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let fin = Flags(rawValue: 0x01)
        public static let syn = Flags(rawValue: 0x02)
        public static let rst = Flags(rawValue: 0x04)
        public static let psh = Flags(rawValue: 0x08)
        public static let ack = Flags(rawValue: 0x10)
    }

    /// Decodes the header; nil when it is truncated or its data offset is impossible.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> TCPHeader? {
        guard bytes.count >= 20 else { return nil }
        let length = Int(bytes.u8(12) >> 4) * 4
        guard length >= 20, bytes.count >= length else { return nil }
        return TCPHeader(
            sourcePort: bytes.u16(0), destinationPort: bytes.u16(2), sequence: bytes.u32(4),
            acknowledgment: bytes.u32(8), flags: Flags(rawValue: bytes.u8(13) & 0x1F), headerLength: length)
    }
}
