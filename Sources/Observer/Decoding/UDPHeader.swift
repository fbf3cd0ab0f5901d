/// A UDP header (RFC 768).
public struct UDPHeader: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// Header plus payload, as the header says.
    public var length: Int

    /// Decodes the header; nil when truncated or when its length is below the header's own.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> UDPHeader? {
        guard bytes.count >= 8 else { return nil }
        let length = Int(bytes.u16(4))
        guard length >= 8 else { return nil }
        return UDPHeader(sourcePort: bytes.u16(0), destinationPort: bytes.u16(2), length: length)
    }
}
