@testable import Observer
import RunHistory

/// Hand-built frames for the decoder, tracker and parser tests.
enum PacketBuilder {
    static let client: UInt32 = 0x0A64_0002  // 10.100.0.2
    static let server: UInt32 = 0x0A64_0003  // 10.100.0.3
    static let names: [UInt32: String] = [client: "app", server: "api"]

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// A Linux cooked (SLL) header carrying IPv4, going `direction` (0 = to us, 4 = outgoing).
    static func sll(direction: UInt16 = 0) -> [UInt8] {
        be16(direction) + be16(1) + be16(6) + [UInt8](repeating: 0xAA, count: 8) + be16(0x0800)
    }

    static func ipv4(from: UInt32, to: UInt32, protocolNumber: UInt8, payload: [UInt8], fragmentOffset: UInt16 = 0) -> [UInt8] {
        let total = UInt16(20 + payload.count)
        return [0x45, 0] + be16(total) + be16(1) + be16(fragmentOffset) + [64, protocolNumber] + be16(0) + be32(from) + be32(to) + payload
    }

    static func tcpHeader(_ sport: UInt16, _ dport: UInt16, seq: UInt32, ack: UInt32, flags: TCPHeader.Flags) -> [UInt8] {
        be16(sport) + be16(dport) + be32(seq) + be32(ack) + [0x50, flags.rawValue] + be16(65535) + be16(0) + be16(0)
    }

    /// A whole SLL frame with one TCP segment.
    static func tcp(
        from: UInt32 = client, _ sport: UInt16 = 40000, to: UInt32 = server, _ dport: UInt16 = 80, seq: UInt32, ack: UInt32 = 0,
        _ flags: TCPHeader.Flags, _ payload: [UInt8] = []
    ) -> [UInt8] {
        sll() + ipv4(from: from, to: to, protocolNumber: 6, payload: tcpHeader(sport, dport, seq: seq, ack: ack, flags: flags) + payload)
    }

    static func udp(from: UInt32 = client, _ sport: UInt16 = 5353, to: UInt32 = server, _ dport: UInt16 = 53, payload: [UInt8]) -> [UInt8] {
        let udp = be16(sport) + be16(dport) + be16(UInt16(8 + payload.count)) + be16(0) + payload
        return sll() + ipv4(from: from, to: to, protocolNumber: 17, payload: udp)
    }
}

/// Runs frames through a ``TrafficAnalyzer`` and keeps the events it emits.
final class AnalyzerHarness {
    var events: [(kind: RunHistoryEventKind, time: Int64)] = []
    lazy var analyzer = TrafficAnalyzer(hostNames: PacketBuilder.names) { [unowned self] kind, time in
        self.events.append((kind, time))
    }

    func feed(_ frame: [UInt8], at time: Int64 = 0) {
        frame.withUnsafeBytes { analyzer.process($0, linkType: LinkLayerFrame.LinkType.linuxSLL.rawValue, at: time) }
    }

    var phases: [ConnectionPhase] {
        events.compactMap { if case .connection(let c) = $0.kind { return c.phase } else { return nil } }
    }

    var connections: [ConnectionEvent] {
        events.compactMap { if case .connection(let c) = $0.kind { return c } else { return nil } }
    }

    var requests: [HTTPRequestEvent] {
        events.compactMap { if case .httpRequest(let r) = $0.kind { return r } else { return nil } }
    }

    var flows: [UDPFlowEvent] {
        events.compactMap { if case .udpFlow(let f) = $0.kind { return f } else { return nil } }
    }

    var dnsMessages: [DNSMessageEvent] {
        events.compactMap { if case .dnsMessage(let m) = $0.kind { return m } else { return nil } }
    }

    var responses: [HTTPResponseEvent] {
        events.compactMap { if case .httpResponse(let r) = $0.kind { return r } else { return nil } }
    }
}

typealias RunHistoryEventKind = EventKind

/// Feeds `text` to a parser and collects the heads it reports.
func parseHeads(_ chunks: [[UInt8]], role: HTTPStreamParser.Role, decide: (HTTPMessageHead) -> HTTPStreamParser.Continuation = { _ in .body })
    -> (heads: [HTTPMessageHead], parser: HTTPStreamParser)
{
    var parser = HTTPStreamParser(role: role)
    var heads: [HTTPMessageHead] = []
    for chunk in chunks {
        chunk.withUnsafeBytes { bytes in
            parser.feed(bytes, at: 0) { head, _ in
                heads.append(head)
                return decide(head)
            }
        }
    }
    return (heads, parser)
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
