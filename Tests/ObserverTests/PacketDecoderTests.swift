import Testing
@testable import Observer

@Suite struct PacketDecoderTests {
    typealias B = PacketBuilder

    @Test func decodesATCPSegmentInALinuxCookedFrame() {
        let frame = B.tcp(seq: 7, ack: 9, [.psh, .ack], "GET".bytes)
        frame.withUnsafeBytes { bytes in
            guard case .tcp(let ip, let tcp, let payload, let uncaptured) = PacketDecoder.decode(bytes, linkType: 113) else {
                Issue.record("not decoded as TCP")
                return
            }
            #expect(ip.source == B.client && ip.destination == B.server)
            #expect(tcp.sourcePort == 40000 && tcp.destinationPort == 80 && tcp.sequence == 7 && tcp.acknowledgment == 9)
            #expect(tcp.flags == [.psh, .ack])
            #expect(Array(payload) == "GET".bytes)
            #expect(uncaptured == 0)
        }
    }

    /// Each link type the capture can hand back, with the header it puts before the same IPv4 packet.
    static let linkHeaders: [(String, Int32, [UInt8])] = [
        ("SLL", 113, B.sll()),
        ("SLL2", 276, B.be16(0x0800) + [0, 0] + B.be32(3) + B.be16(1) + [0, 6] + [UInt8](repeating: 0, count: 8)),
        ("Ethernet", 1, [UInt8](repeating: 0x11, count: 12) + B.be16(0x0800)),
        ("Ethernet 802.1Q", 1, [UInt8](repeating: 0x11, count: 12) + B.be16(0x8100) + B.be16(5) + B.be16(0x0800)),
        ("raw", 12, []),
        ("raw IPv4", 228, []),
    ]

    @Test(arguments: linkHeaders)
    func readsEveryLinkType(name: String, linkType: Int32, header: [UInt8]) {
        let ip = B.ipv4(from: B.client, to: B.server, protocolNumber: 6, payload: B.tcpHeader(1, 2, seq: 3, ack: 0, flags: .syn))
        (header + ip).withUnsafeBytes { bytes in
            guard case .tcp(_, let tcp, _, _) = PacketDecoder.decode(bytes, linkType: linkType) else {
                Issue.record("\(name): not decoded as TCP")
                return
            }
            #expect(tcp.flags == .syn, "\(name)")
        }
    }

    @Test func skipsPacketsTheRouterSendsOut() {
        let frame = B.sll(direction: 4) + B.ipv4(from: B.client, to: B.server, protocolNumber: 6, payload: B.tcpHeader(1, 2, seq: 0, ack: 0, flags: .syn))
        frame.withUnsafeBytes { bytes in
            guard case .outgoing = PacketDecoder.decode(bytes, linkType: 113) else { Issue.record("outgoing not skipped"); return }
        }
    }

    /// Truncated or impossible headers at each layer, and what the decoder must call them.
    static let malformed: [(String, [UInt8], MalformedReason?)] = [
        ("empty", [], .linkHeader),
        ("half a cooked header", Array(B.sll().prefix(9)), .linkHeader),
        ("IPv4 cut at 10 bytes", B.sll() + Array(B.ipv4(from: 1, to: 2, protocolNumber: 6, payload: []).prefix(10)), .ipv4Header),
        ("IHL below 5", B.sll() + [0x44] + Array(B.ipv4(from: 1, to: 2, protocolNumber: 6, payload: []).dropFirst()), .ipv4Header),
        ("IHL past the end", B.sll() + [0x4F] + Array(B.ipv4(from: 1, to: 2, protocolNumber: 6, payload: []).dropFirst()), .ipv4Header),
        ("TCP cut at 12 bytes", B.sll() + B.ipv4(from: 1, to: 2, protocolNumber: 6, payload: Array(B.tcpHeader(1, 2, seq: 0, ack: 0, flags: .syn).prefix(12))), .tcpHeader),
        ("TCP data offset 2", B.sll() + B.ipv4(from: 1, to: 2, protocolNumber: 6, payload: { var h = B.tcpHeader(1, 2, seq: 0, ack: 0, flags: .syn); h[12] = 0x20; return h }()), .tcpHeader),
        ("TCP data offset past the end", B.sll() + B.ipv4(from: 1, to: 2, protocolNumber: 6, payload: { var h = B.tcpHeader(1, 2, seq: 0, ack: 0, flags: .syn); h[12] = 0xF0; return h }()), .tcpHeader),
        ("UDP cut at 4 bytes", B.sll() + B.ipv4(from: 1, to: 2, protocolNumber: 17, payload: [0, 1, 0, 2]), .udpHeader),
        ("UDP length 3", B.sll() + B.ipv4(from: 1, to: 2, protocolNumber: 17, payload: [0, 1, 0, 2, 0, 3, 0, 0]), .udpHeader),
    ]

    @Test(arguments: malformed)
    func namesTheLayerThatIsMalformed(name: String, frame: [UInt8], reason: MalformedReason?) {
        frame.withUnsafeBytes { bytes in
            guard case .malformed(let got) = PacketDecoder.decode(bytes, linkType: 113) else {
                Issue.record("\(name): decoded")
                return
            }
            #expect(got == reason, "\(name)")
        }
    }

    @Test func reportsPayloadPastTheSnapshotLengthAsUncaptured() {
        let frame = B.tcp(seq: 1, [.ack], [UInt8](repeating: 0x41, count: 1000))
        frame.withUnsafeBytes { bytes in
            guard case .tcp(_, _, let payload, let uncaptured) = PacketDecoder.decode(bytes.head(bytes.count - 300), linkType: 113) else {
                Issue.record("not TCP")
                return
            }
            #expect(payload.count == 700 && uncaptured == 300)
        }
    }

    @Test func dropsEthernetPaddingAfterTheIPv4TotalLength() {
        let frame = B.tcp(seq: 1, [.ack], "ab".bytes) + [0, 0, 0, 0]
        frame.withUnsafeBytes { bytes in
            guard case .tcp(_, _, let payload, _) = PacketDecoder.decode(bytes, linkType: 113) else { Issue.record("not TCP"); return }
            #expect(Array(payload) == "ab".bytes)
        }
    }

    @Test func laterFragmentsAndOtherProtocolsAreNotMalformed() {
        let fragment = B.sll() + B.ipv4(from: 1, to: 2, protocolNumber: 6, payload: [1, 2, 3], fragmentOffset: 100)
        let icmp = B.sll() + B.ipv4(from: 1, to: 2, protocolNumber: 1, payload: [8, 0, 0, 0])
        for frame in [fragment, icmp] {
            frame.withUnsafeBytes { bytes in
                guard case .otherIPv4 = PacketDecoder.decode(bytes, linkType: 113) else { Issue.record("not other IPv4"); return }
            }
        }
        let udp = B.udp(payload: "hello".bytes)
        udp.withUnsafeBytes { bytes in
            guard case .udp(_, let header, let payload) = PacketDecoder.decode(bytes, linkType: 113) else { Issue.record("not UDP"); return }
            #expect(header.destinationPort == 53 && Array(payload) == "hello".bytes)
        }
    }
}
