@testable import DNS
import ScenarioFormat
import Testing

/// The UDP loop's direct path must give exactly the general path's bytes, and step aside for
/// anything it does not handle.
@Suite struct DNSDirectAnswerTests {
    static let responder = DNSResponder(zone: DNSFixture.zone())

    /// The direct reply, or nil when the query takes the general path.
    static func direct(_ query: [UInt8], responder: DNSResponder = responder) -> (answer: Int, bytes: [UInt8])? {
        var output = [UInt8](repeating: 0xEE, count: 4096)
        let result = query.withUnsafeBytes { q in
            output.withUnsafeMutableBytes { responder.answerDirect(q, into: $0) }
        }
        return result.map { ($0.answer, Array(output[0..<$0.length])) }
    }

    static func general(_ query: [UInt8]) -> [UInt8]? {
        query.withUnsafeBytes { responder.respond(to: $0, host: "client", transport: .udp) }.response
    }

    static func withFlags(_ query: [UInt8], _ flags: UInt16) -> [UInt8] {
        var q = query
        q[2] = UInt8(flags >> 8)
        q[3] = UInt8(flags & 0xFF)
        return q
    }

    @Test(arguments: ["api", "client", "consul.service.consul", "alias.service.consul", "_api._tcp.service.consul",
                      "txt.service.consul", "v6.service.consul", "big.service.consul"])
    func everyZoneNameAndTypeIsAnsweredDirectlyWithTheGeneralPathsBytes(name: String) throws {
        var answered = 0
        for type in DNSAnswerTable.types {
            for edns in [nil, DNSEDNS(), DNSEDNS(udpPayloadSize: 4096, options: [(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])])] {
                for flags: UInt16 in [0x0100, 0x0000, 0x0110, 0x0130] {
                    let query = Self.withFlags(DNSFixture.query(name, type, id: 0x4242, edns: edns), flags)
                    guard let direct = Self.direct(query) else {
                        // Only a reply too big for UDP goes the general way (and comes back truncated).
                        #expect(name == "big.service.consul" && type == .txt, "\(name) \(type) took the general path")
                        continue
                    }
                    answered += 1
                    #expect(direct.bytes == Self.general(query), "\(name) \(type) edns \(edns != nil) flags \(flags)")
                    let outcome = Self.responder.directOutcome(direct.answer)
                    let general = query.withUnsafeBytes { Self.responder.respond(to: $0, host: nil, transport: .udp) }
                    #expect(outcome.name == general.name && outcome.type == general.type && outcome.result == general.result)
                    #expect(outcome.answers == general.answers && !outcome.truncated && outcome.fault == nil)
                }
            }
        }
        #expect(answered > 0)
    }

    @Test func queriesTheDirectPathDoesNotHandleGoTheGeneralWay() throws {
        let plain = DNSFixture.query("api")
        #expect(Self.direct(plain) != nil)
        let others: [(String, [UInt8])] = [
            ("mixed case (0x20)", DNSFixture.query("aPi")),
            ("outside the zone", DNSFixture.query("example.org")),
            ("type not precomputed", DNSFixture.query("api", .mx)),
            ("ANY", DNSFixture.query("api", .any)),
            ("opcode 2", DNSFixture.query("api", opcode: 2)),
            ("EDNS version 1", DNSFixture.query("api", edns: DNSEDNS(version: 1))),
            ("a response", Self.withFlags(plain, 0x8100)),
            ("class CH", Array(plain.dropLast(2)) + [0, 3]),
            ("trailing byte", plain + [0]),
            ("cut short", Array(plain.dropLast())),
            ("two questions", { var q = plain; q[5] = 2; return q }()),
            ("an answer record", { var q = plain; q[7] = 1; return q }()),
            ("compressed name", Array(plain[0..<12]) + [3, 0x61, 0x70, 0x69, 0xC0, 0x0C, 0, 1, 0, 1]),
        ]
        for (why, query) in others {
            #expect(Self.direct(query) == nil, "\(why)")
        }
    }

    @Test func mutatedQueriesAnsweredDirectlyMatchTheGeneralPath() throws {
        var fuzzer = DNSMutationFuzzer(seed: 7, corpus: try DNSHostileInputTests.seeds())
        var direct = 0
        for _ in 0..<100_000 {
            let input = fuzzer.mutate(fuzzer.corpus[Int(fuzzer.random.next() % UInt64(fuzzer.corpus.count))])
            guard let reply = Self.direct(input) else { continue }
            direct += 1
            #expect(reply.bytes == Self.general(input), "\(input)")
        }
        #expect(direct > 300)
    }
}
