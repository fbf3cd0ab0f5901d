@testable import DNS
import FaultlineCore
import ScenarioFormat

/// Queries and a zone shared by the DNS tests.
enum DNSFixture {
    static let hosts: [String: IPv4Address] = [
        "api": IPv4Address(parsing: "198.18.0.2")!, "client": IPv4Address(parsing: "198.18.0.3")!,
    ]

    static let settings = DNSSettings(records: [
        DNSRecordSpec(name: "consul.service.consul", ttl: .seconds(5), data: .a(.host("api"))),
        DNSRecordSpec(name: "alias.service.consul", data: .cname(target: "consul.service.consul")),
        DNSRecordSpec(name: "_api._tcp.service.consul", data: .srv(priority: 1, weight: 2, port: 8500, target: "api")),
        DNSRecordSpec(name: "txt.service.consul", data: .txt(["hello"])),
        DNSRecordSpec(name: "v6.service.consul", data: .aaaa(IPv6Address(parsing: "2001:db8::1")!)),
    ] + (0..<20).map { DNSRecordSpec(name: "big.service.consul", data: .txt([String(repeating: "x", count: 20) + "\($0)"])) }
      + (0..<60).map { DNSRecordSpec(name: "huge.service.consul", data: .txt([String(repeating: "y", count: 20) + "\($0)"])) })

    static func zone(unknown: UnknownNamePolicy = .nxdomain) -> DNSZone {
        var s = settings
        s.unknown = unknown
        return try! DNSZone(hosts: hosts, settings: s)
    }

    /// A query's bytes: one question, RD set, optionally with an OPT record.
    static func query(
        _ name: String, _ type: DNSType = .a, id: UInt16 = 0x1234, edns: DNSEDNS? = nil, opcode: UInt8 = 0
    ) -> [UInt8] {
        var h = DNSHeader(id: id)
        h.recursionDesired = true
        h.opcode = opcode
        return try! DNSMessage(header: h, questions: [DNSQuestion(name: DNSName(name)!, type: type)], edns: edns).encode()
    }

    static func respond(
        _ bytes: [UInt8], responder: DNSResponder = DNSResponder(zone: zone()), host: String? = "client",
        transport: DNSTransport = .udp
    ) -> (outcome: DNSResponder.Outcome, message: DNSMessage?) {
        let outcome = bytes.withUnsafeBytes { responder.respond(to: $0, host: host, transport: transport) }
        return (outcome, outcome.response.flatMap { try? DNSMessage.decode($0) })
    }
}
