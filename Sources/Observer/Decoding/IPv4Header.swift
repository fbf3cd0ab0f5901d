/// An IPv4 header (RFC 791), as far as the observer needs it.
public struct IPv4Header: Sendable, Equatable {
    public var source: UInt32
    public var destination: UInt32
    /// 6 TCP, 17 UDP, 1 ICMP.
    public var protocolNumber: UInt8
    public var headerLength: Int
    /// Header plus payload, from the header's total-length field.
    public var totalLength: Int
    /// Non-zero offset or more-fragments: only the first fragment carries the transport header.
    public var isFragment: Bool
    public var isFirstFragment: Bool
    public var ttl: UInt8

    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17

    /// Decodes the header; nil when it is not IPv4, shorter than its lengths claim, or malformed.
    /// A packet cut short by the capture is not malformed: the payload is what was captured.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> IPv4Header? {
        guard bytes.count >= 20, bytes.u8(0) >> 4 == 4 else { return nil }
        let ihl = Int(bytes.u8(0) & 0x0F) * 4
        let total = Int(bytes.u16(2))
        guard ihl >= 20, bytes.count >= ihl, total >= ihl else { return nil }
        let flagsOffset = bytes.u16(6)
        let offset = flagsOffset & 0x1FFF
        let more = flagsOffset & 0x2000 != 0
        return IPv4Header(
            source: bytes.u32(12), destination: bytes.u32(16), protocolNumber: bytes.u8(9), headerLength: ihl,
            totalLength: total, isFragment: more || offset != 0, isFirstFragment: offset == 0, ttl: bytes.u8(8))
    }

    /// The payload: after the header, up to the total length (Ethernet padding dropped).
    public func payload(of bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        bytes.head(totalLength).tail(from: headerLength)
    }
}
