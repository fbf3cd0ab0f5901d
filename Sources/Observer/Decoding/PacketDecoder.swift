/// What one captured frame holds, as far as the observer reads it.
public enum DecodedPacket {
    /// A TCP segment; `payload` points into the frame and lives only as long as it. `uncaptured`
    /// payload bytes followed it on the wire but fell past the capture's snapshot length.
    case tcp(ip: IPv4Header, tcp: TCPHeader, payload: UnsafeRawBufferPointer, uncaptured: Int)
    case udp(ip: IPv4Header, udp: UDPHeader, payload: UnsafeRawBufferPointer)
    /// ICMP destination unreachable, quoting the packet it refuses.
    case unreachable(ip: IPv4Header, ICMPUnreachable)
    /// IPv4 of another protocol (ICMP …), or a later fragment.
    case otherIPv4(IPv4Header)
    /// Not IPv4 (ARP, IPv6 …): nothing to read, nothing wrong.
    case notIPv4
    /// Sent by the router itself out of a veth: a forwarded packet's second sighting.
    case outgoing
    /// Truncated or malformed at some layer; the reason names it.
    case malformed(MalformedReason)
}

/// Why a frame could not be decoded.
public enum MalformedReason: String, Sendable, CaseIterable {
    case linkHeader = "link header"
    case ipv4Header = "IPv4 header"
    case tcpHeader = "TCP header"
    case udpHeader = "UDP header"
}

/// Decodes a frame layer by layer: link, IPv4, then TCP or UDP. Pure; never traps on any input.
public enum PacketDecoder {
    /// The TTL of packets the router itself sends (its `ip_default_ttl`).
    public static let routerTTL: UInt8 = 255

    public static func decode(_ frame: UnsafeRawBufferPointer, linkType: Int32) -> DecodedPacket {
        guard let link = LinkLayerFrame.decode(frame, linkType: linkType) else { return .malformed(.linkHeader) }
        if link.direction == .outgoing && link.protocolType != LinkLayerFrame.ipv4 { return .outgoing }
        guard link.protocolType == LinkLayerFrame.ipv4 else { return .notIPv4 }
        let network = frame.tail(from: link.headerLength)
        guard let ip = IPv4Header.decode(network) else { return .malformed(.ipv4Header) }
        // A packet leaving the router was either forwarded (already seen coming in) or made by the
        // router itself — a partition's RST or ICMP error, which the router sends with TTL 255
        // (TopologyPlan.routerTTL); forwarded packets can never carry 255. Keep only the latter.
        if link.direction == .outgoing && ip.ttl != Self.routerTTL { return .outgoing }
        guard ip.isFirstFragment else { return .otherIPv4(ip) }
        let transport = ip.payload(of: network)
        switch ip.protocolNumber {
        case IPv4Header.tcp:
            guard let tcp = TCPHeader.decode(transport) else { return .malformed(.tcpHeader) }
            // A first fragment's payload is only part of the segment: track the flags, skip the bytes.
            if ip.isFragment { return .tcp(ip: ip, tcp: tcp, payload: transport.head(0), uncaptured: 0) }
            let payload = transport.tail(from: tcp.headerLength)
            let onWire = max(0, ip.totalLength - ip.headerLength - tcp.headerLength)
            return .tcp(ip: ip, tcp: tcp, payload: payload, uncaptured: max(0, onWire - payload.count))
        case IPv4Header.udp:
            guard let udp = UDPHeader.decode(transport) else { return .malformed(.udpHeader) }
            return .udp(ip: ip, udp: udp, payload: transport.head(udp.length).tail(from: 8))
        case ICMPUnreachable.icmp:
            guard !ip.isFragment, let icmp = ICMPUnreachable.decode(transport) else { return .otherIPv4(ip) }
            return .unreachable(ip: ip, icmp)
        default:
            return .otherIPv4(ip)
        }
    }
}
