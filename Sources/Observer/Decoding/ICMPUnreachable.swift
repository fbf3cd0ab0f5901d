/// An ICMP destination-unreachable message (RFC 792, type 3) and the header of the packet it
/// answers, which it quotes: enough to name the UDP flow or TCP attempt that met it.
public struct ICMPUnreachable: Sendable, Equatable {
    public var code: UInt8
    /// The quoted packet's IPv4 header: its source is the sender the ICMP goes back to.
    public var original: IPv4Header
    /// The quoted transport header's ports (the first 8 bytes are always quoted).
    public var originalSourcePort: UInt16
    public var originalDestinationPort: UInt16

    public static let icmp: UInt8 = 1
    static let destinationUnreachable: UInt8 = 3

    /// Decodes an ICMP message; nil unless it is a destination-unreachable quoting a packet whole
    /// enough to read its ports.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> ICMPUnreachable? {
        guard bytes.count >= 8, bytes.u8(0) == destinationUnreachable else { return nil }
        let quoted = bytes.tail(from: 8)
        guard let original = IPv4Header.decode(quoted), original.isFirstFragment else { return nil }
        let transport = quoted.tail(from: original.headerLength)
        guard transport.count >= 4 else { return nil }
        return ICMPUnreachable(
            code: bytes.u8(1), original: original, originalSourcePort: transport.u16(0), originalDestinationPort: transport.u16(2))
    }

    /// The code's meaning (RFC 792, RFC 1812).
    public var reason: String {
        switch code {
        case 0: "network unreachable"
        case 1: "host unreachable"
        case 2: "protocol unreachable"
        case 3: "port unreachable"
        case 4: "fragmentation needed"
        case 9, 10, 13: "administratively prohibited"
        default: "unreachable (code \(code))"
        }
    }
}
