import DNS
import FaultlineCore
import Foundation
@testable import Observer
import RunHistory
import ScenarioFormat
import Testing

@Suite struct UDPAndDNSWireTests {
    typealias B = PacketBuilder

    static func query(id: UInt16, _ name: String, _ type: DNSType = .a) throws -> [UInt8] {
        var header = DNSHeader(id: id)
        header.recursionDesired = true
        return try DNSMessage(header: header, questions: [DNSQuestion(name: DNSName(name)!, type: type)]).encode()
    }

    static func answer(id: UInt16, _ name: String, rcode: UInt8 = 0, truncated: Bool = false, addresses: [UInt32] = []) throws -> [UInt8] {
        var header = DNSHeader(id: id)
        header.isResponse = true
        header.rcode = rcode
        header.truncated = truncated
        let qname = DNSName(name)!
        return try DNSMessage(
            header: header, questions: [DNSQuestion(name: qname, type: .a)],
            answers: addresses.map { DNSRecord(name: qname, ttl: 30, data: .a($0)) }
        ).encode()
    }

    @Test func aUDPFlowStartsOnceCountsBothWaysAndEndsAtItsLastDatagramWhenSilent() {
        let h = AnalyzerHarness()
        h.feed(B.udp(40001, to: B.server, 9000, payload: Array(repeating: 1, count: 100)), at: 1_000)
        h.feed(B.udp(from: B.server, 9000, to: B.client, 40001, payload: Array(repeating: 2, count: 40)), at: 2_000)
        h.feed(B.udp(40001, to: B.server, 9000, payload: Array(repeating: 3, count: 10)), at: 3_000)
        #expect(h.flows.map(\.phase) == [.started])
        h.analyzer.expireIdle(now: 3_000 + 29_000_000_000)
        #expect(h.flows.count == 1, "not silent long enough to end")
        h.analyzer.expireIdle(now: 3_000 + 31_000_000_000)
        let ended = h.flows.last
        #expect(h.flows.map(\.phase) == [.started, .ended])
        #expect(ended?.from == "app" && ended?.to == "api" && ended?.sourcePort == 40001 && ended?.port == 9000)
        #expect(ended?.datagramsOut == 2 && ended?.datagramsIn == 1 && ended?.bytesOut == 110 && ended?.bytesIn == 40)
        #expect(h.events.last?.time == 3_000, "an ended flow is stamped at its last datagram")
    }

    @Test func anICMPPortUnreachableMarksTheFlowItQuotes() {
        let h = AnalyzerHarness()
        let datagram = B.udp(40002, to: B.server, 9999, payload: [1, 2, 3])
        h.feed(datagram, at: 10)
        // The server's kernel answers with ICMP type 3 code 3, quoting the IP header and 8 bytes.
        let quoted = Array(datagram[16..<(16 + 28)])
        let icmp: [UInt8] = [3, 3, 0, 0, 0, 0, 0, 0] + quoted
        h.feed(B.sll() + B.ipv4(from: B.server, to: B.client, protocolNumber: 1, payload: icmp), at: 20)
        #expect(h.flows.map(\.phase) == [.started, .unreachable])
        #expect(h.flows.last?.reason == "port unreachable from api")
        #expect(h.flows.last?.flow == h.flows.first?.flow)
        #expect(h.analyzer.counters.unreachables == 1)
    }

    @Test func dnsOverUDPGivesTheQueryAndTheAnswerWithItsRcodeRecordsAndLatency() throws {
        let h = AnalyzerHarness()
        h.feed(B.udp(40003, to: B.server, 53, payload: try Self.query(id: 0x1234, "API.service.consul")), at: 1_000_000)
        h.feed(B.udp(from: B.server, 53, to: B.client, 40003, payload: try Self.answer(id: 0x1234, "API.service.consul", addresses: [0x0A64_0009])),
               at: 1_250_000)
        let messages = h.dnsMessages
        #expect(messages.count == 2)
        #expect(messages.first == DNSMessageEvent(
            from: "app", to: "api", id: 0x1234, response: false, name: "api.service.consul", type: "A", transport: "udp"))
        #expect(messages.last?.response == true && messages.last?.from == "app" && messages.last?.to == "api")
        #expect(messages.last?.rcode == .noError && messages.last?.answers == ["A 10.100.0.9"])
        #expect(messages.last?.latency == TimeSpan(nanoseconds: 250_000))
    }

    @Test func anUnansweredQueryAndAnAnswerToNoQueryAreBothReportedWithoutLatency() throws {
        let h = AnalyzerHarness()
        h.feed(B.udp(40004, to: B.server, 53, payload: try Self.query(id: 1, "gone.example")), at: 0)
        h.feed(B.udp(from: B.server, 53, to: B.client, 40005, payload: try Self.answer(id: 2, "other.example", rcode: 3)), at: 5)
        #expect(h.dnsMessages.map(\.response) == [false, true])
        #expect(h.dnsMessages.last?.rcode == .nxDomain && h.dnsMessages.last?.latency == nil)
    }

    @Test func junkOnPort53IsCountedAsUnparsedNotGuessedAt() {
        let h = AnalyzerHarness()
        h.feed(B.udp(40006, to: B.server, 53, payload: Array("not dns at all".utf8)), at: 0)
        #expect(h.dnsMessages.isEmpty)
        #expect(h.flows.map(\.phase) == [.started])
        #expect(h.analyzer.unparsedBytes == "not dns at all".utf8.count)
    }

    @Test func dnsOverTCPIsFramedByLengthAcrossSegmentsAndPairedWithItsQuery() throws {
        let h = AnalyzerHarness()
        let isn: UInt32 = 100, serverISN: UInt32 = 900
        h.feed(B.tcp(40007, to: B.server, 53, seq: isn, .syn), at: 0)
        h.feed(B.tcp(from: B.server, 53, to: B.client, 40007, seq: serverISN, ack: isn + 1, [.syn, .ack]), at: 1)
        h.feed(B.tcp(40007, to: B.server, 53, seq: isn + 1, ack: serverISN + 1, .ack), at: 2)
        let q = try Self.query(id: 77, "big.example")
        let framed = B.be16(UInt16(q.count)) + q
        // The query split over two segments, cut inside the length prefix.
        h.feed(B.tcp(40007, to: B.server, 53, seq: isn + 1, ack: serverISN + 1, [.psh, .ack], Array(framed[..<1])), at: 10)
        h.feed(B.tcp(40007, to: B.server, 53, seq: isn + 2, ack: serverISN + 1, [.psh, .ack], Array(framed[1...])), at: 11)
        let a = try Self.answer(id: 77, "big.example", addresses: [1, 2, 3])
        h.feed(B.tcp(from: B.server, 53, to: B.client, 40007, seq: serverISN + 1, ack: 0, [.psh, .ack], B.be16(UInt16(a.count)) + a), at: 40)
        #expect(h.dnsMessages.map(\.transport) == ["tcp", "tcp"])
        #expect(h.dnsMessages.first?.name == "big.example" && h.dnsMessages.first?.response == false)
        #expect(h.dnsMessages.last?.answers?.count == 3 && h.dnsMessages.last?.latency == TimeSpan(nanoseconds: 29))
        #expect(h.requests.isEmpty && h.analyzer.unparsedBytes == 0, "DNS over TCP is not fed to the HTTP parser")
    }

    @Test func theFramerSkipsAMessageTheCaptureCutShortAndReadsTheNextOne() throws {
        var framer = DNSStreamFramer()
        var seen: [Int] = []
        let message = [UInt8](repeating: 7, count: 10)
        let framed = B.be16(10) + message
        framed[..<6].withUnsafeBytes { framer.feed($0) { seen.append($0.count) } }
        framer.skip(6)
        (framed + framed).withUnsafeBytes { framer.feed($0) { seen.append($0.count) } }
        #expect(seen == [10, 10])
        framer.skip(3)
        #expect(framer.broken, "uncaptured bytes at a message boundary lose the framing")
    }

    @Test func theNewEventsRoundTripThroughTheHistoryEncoding() throws {
        let events = [
            Event(t: .seconds(1), .udpFlow(UDPFlowEvent(flow: 3, from: "app", to: "api", sourcePort: 4, port: 5, phase: .ended,
                                                        datagramsOut: 1, datagramsIn: 2, bytesOut: 3, bytesIn: 4))),
            Event(t: .seconds(2), .dnsMessage(DNSMessageEvent(from: "app", to: "router", id: 9, response: true, name: "a.b", type: "SRV",
                                                              transport: "udp", rcode: .servFail, answers: [], truncated: true,
                                                              latency: .milliseconds(3)))),
        ]
        for event in events {
            let data = try JSONEncoder().encode(event)
            #expect(try JSONDecoder().decode(Event.self, from: data) == event)
        }
        let line = String(decoding: try JSONEncoder().encode(events[1]), as: UTF8.self)
        #expect(line.contains("\"type\":\"dns.message\"") && line.contains("\"qtype\":\"SRV\""))
    }
}
