@testable import DNS
import Testing

@Suite struct DNSMessageTests {
    @Test func everyRecordTypeRoundTrips() throws {
        var h = DNSHeader(id: 7)
        h.isResponse = true
        h.authoritative = true
        let owner = DNSName("Api.Service.Consul")!
        let message = DNSMessage(
            header: h, questions: [DNSQuestion(name: owner, type: .srv)],
            answers: [
                DNSRecord(name: owner, ttl: 5, data: .a(0xC612_0002)),
                DNSRecord(name: owner, ttl: 5, data: .aaaa(Array(repeating: 1, count: 16))),
                DNSRecord(name: owner, ttl: 5, data: .cname(DNSName("x.service.consul")!)),
                DNSRecord(name: owner, ttl: 5, data: .srv(priority: 1, weight: 2, port: 8500, target: DNSName("api")!)),
                DNSRecord(name: owner, ttl: 5, data: .txt([Array("a b".utf8), []])),
                DNSRecord(name: owner, ttl: 5, data: .other(type: .mx, bytes: [0, 10, 0])),
            ],
            edns: DNSEDNS(udpPayloadSize: 4096, dnssecOK: true, options: [(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])]))
        for compress in [true, false] {
            let decoded = try DNSMessage.decode(try message.encode(compress: compress))
            #expect(decoded.header.id == 7 && decoded.header.isResponse && decoded.header.authoritative)
            #expect(decoded.questions == message.questions)
            #expect(decoded.answers == message.answers)
            #expect(decoded.edns == message.edns)
        }
    }

    @Test func namesAreCompressedAgainstEarlierSuffixesKeepingEachNamesCase() throws {
        let message = DNSMessage(
            header: DNSHeader(id: 1), questions: [DNSQuestion(name: DNSName("a.service.consul")!, type: .a)],
            answers: [
                DNSRecord(name: DNSName("B.service.consul")!, ttl: 1, data: .a(1)),
                DNSRecord(name: DNSName("c.SERVICE.consul")!, ttl: 1, data: .a(2)),
            ])
        let compressed = try message.encode()
        let plain = try message.encode(compress: false)
        // "B" + a pointer instead of "service.consul" (16 bytes → 2), "c.SERVICE" + a pointer
        // instead of "consul" (8 bytes → 2).
        #expect(plain.count - compressed.count == 14 + 6)
        let decoded = try DNSMessage.decode(compressed)
        #expect(decoded.answers.map(\.name.description) == ["B.service.consul.", "c.SERVICE.consul."])
    }

    @Test func namesParseAndPrintSafely() {
        #expect(DNSName("a.b.")!.description == "a.b.")
        #expect(DNSName("")! == .root)
        #expect(DNSName(String(repeating: "a", count: 64)) == nil)
        #expect(DNSName(String(repeating: "abcdefgh.", count: 29)) == nil)
        #expect(DNSName("a..b") == nil)
        let odd = DNSName(uncheckedWire: [3, 0x41, 0x2E, 0x07, 0])
        #expect(odd.description == "A\\.\\007.")
        #expect(odd.key == "a\\.\\007")
    }

    @Test func headerFlagsMapToTheirBits() {
        var h = DNSHeader()
        h.isResponse = true
        h.opcode = 5
        h.truncated = true
        h.rcode = 3
        #expect(h.flags == 0x8000 | 5 << 11 | 0x0200 | 3)
        h.truncated = false
        #expect(!h.truncated && h.opcode == 5 && h.rcode == 3)
    }

    @Test func ednsFieldsComeFromTheOptRecord() throws {
        let bytes = DNSFixture.query("api", edns: DNSEDNS(udpPayloadSize: 1400, version: 0, dnssecOK: true))
        let m = try DNSMessage.decode(bytes)
        #expect(m.edns?.udpPayloadSize == 1400 && m.edns?.dnssecOK == true && m.additionals.isEmpty)
    }
}
