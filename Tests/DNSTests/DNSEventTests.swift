import FaultlineCore
import Foundation
import RunHistory
import ScenarioFormat
import Testing

@Suite struct DNSEventTests {
    @Test func dnsQueriesEncodeAsFlatJSONAndBack() throws {
        let event = Event(t: .seconds(1.5), .dnsQuery(
            host: "client", name: "consul.service.consul", type: "A", transport: "udp", outcome: .answered(.noError),
            answers: ["A 198.18.9.9"], truncated: false, latency: TimeSpan(nanoseconds: 12_000), fault: "poisoned"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(event), as: UTF8.self)
        #expect(json.contains("\"type\":\"dns.query\"") && json.contains("\"qtype\":\"A\"") && json.contains("\"fault\":\"poisoned\""))
        #expect(try JSONDecoder().decode(Event.self, from: Data(json.utf8)) == event)
        let unshaped = Event(t: .zero, .dnsQuery(
            host: "api", name: "x", type: "AAAA", transport: "tcp", outcome: .answered(.nxDomain), answers: [], truncated: true,
            latency: .zero, fault: nil))
        let data = try encoder.encode(unshaped)
        #expect(!String(decoding: data, as: UTF8.self).contains("fault"))
        #expect(try JSONDecoder().decode(Event.self, from: data) == unshaped)
    }
}
