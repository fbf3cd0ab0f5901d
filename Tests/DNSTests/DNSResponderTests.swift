@testable import DNS
import FaultlineCore
import ScenarioFormat
import Testing

@Suite struct DNSResponderTests {
    @Test func hostNamesAnswerWithTheirAddressAndTheQuestionEchoedCaseKept() throws {
        let (outcome, m) = DNSFixture.respond(DNSFixture.query("aPi", id: 0xBEEF))
        let message = try #require(m)
        #expect(message.header.id == 0xBEEF && message.header.isResponse && message.header.authoritative)
        #expect(message.header.recursionDesired && message.header.recursionAvailable)
        #expect(message.questions.first?.name.description == "aPi.")
        #expect(message.answers.map(\.data) == [.a(0xC612_0002)])
        #expect(message.answers.first?.name.description == "aPi.")
        #expect(outcome.result == .answered(.noError) && outcome.answers == ["A 198.18.0.2"] && outcome.name == "api")
    }

    @Test(arguments: [
        ("alias.service.consul", DNSType.a, ["CNAME consul.service.consul.", "A 198.18.0.2"]),
        ("_api._tcp.service.consul", DNSType.srv, ["SRV 1 2 8500 api."]),
        ("txt.service.consul", DNSType.txt, ["TXT \"hello\""]),
        ("v6.service.consul", DNSType.aaaa, ["AAAA 2001:db8:0:0:0:0:0:1"]),
        ("api", DNSType.aaaa, []),
    ])
    func declaredRecordsAnswer(name: String, type: DNSType, answers: [String]) {
        let (outcome, message) = DNSFixture.respond(DNSFixture.query(name, type))
        #expect(outcome.result == .answered(.noError))
        #expect(outcome.answers == answers)
        if type == .srv { #expect(message?.additionals.map(\.summary) == ["A 198.18.0.2"]) }
    }

    @Test func namesOutsideTheZoneGetNXDOMAINOrREFUSED() {
        #expect(DNSFixture.respond(DNSFixture.query("example.org")).message?.rcode == .nxDomain)
        let refusing = DNSResponder(zone: DNSFixture.zone(unknown: .refused))
        #expect(DNSFixture.respond(DNSFixture.query("example.org"), responder: refusing).message?.rcode == .refused)
    }

    @Test func unsupportedOpcodesAndAnyAreNotImplemented() {
        #expect(DNSFixture.respond(DNSFixture.query("api", opcode: 2)).message?.rcode == .notImp)
        #expect(DNSFixture.respond(DNSFixture.query("api", .any)).message?.rcode == .notImp)
        #expect(DNSFixture.respond(DNSFixture.query("api", .axfr)).message?.rcode == .notImp)
    }

    @Test func aLargeAnswerIsTruncatedOverUDPAndWholeOverTCP() throws {
        let udp = DNSFixture.respond(DNSFixture.query("big.service.consul", .txt))
        #expect(udp.outcome.truncated && udp.message?.header.truncated == true && udp.message?.answers.isEmpty == true)
        #expect(try #require(udp.outcome.response).count <= 512)
        let edns = DNSFixture.respond(DNSFixture.query("big.service.consul", .txt, edns: DNSEDNS(udpPayloadSize: 4096)))
        #expect(edns.message?.header.truncated == false && edns.message?.answers.count == 20)
        #expect(edns.message?.edns?.udpPayloadSize == DNSResponder.serverUDPPayload)
        // The server never sends more than its own 1232 bytes over UDP, whatever the client offers.
        let capped = DNSFixture.respond(DNSFixture.query("huge.service.consul", .txt, edns: DNSEDNS(udpPayloadSize: 4096)))
        #expect(capped.message?.header.truncated == true)
        let small = DNSFixture.respond(DNSFixture.query("big.service.consul", .txt, edns: DNSEDNS(udpPayloadSize: 512)))
        #expect(small.message?.header.truncated == true && small.message?.edns != nil)
        let tcp = DNSFixture.respond(DNSFixture.query("big.service.consul", .txt), transport: .tcp)
        #expect(tcp.message?.header.truncated == false && tcp.message?.answers.count == 20)
    }

    @Test func ednsIsAnsweredOnlyWhenAskedAndUnknownVersionsGetBADVERS() {
        #expect(DNSFixture.respond(DNSFixture.query("api")).message?.edns == nil)
        #expect(DNSFixture.respond(DNSFixture.query("api", edns: DNSEDNS())).message?.edns != nil)
        let bad = DNSFixture.respond(DNSFixture.query("api", edns: DNSEDNS(version: 1)))
        #expect(bad.message?.rcode == .badVers)
    }

    @Test func malformedQueriesGetFORMERRAndResponsesAreIgnored() {
        var lying = DNSFixture.query("api")
        lying[7] = 3  // three answers claimed, none present
        let formerr = DNSFixture.respond(lying)
        #expect(formerr.message?.rcode == .formErr && formerr.message?.header.id == 0x1234 && formerr.outcome.malformed)
        var response = DNSFixture.query("api")
        response[2] |= 0x80
        #expect(DNSFixture.respond(response).outcome.response == nil)
        #expect(DNSFixture.respond([1, 2, 3]).outcome.response == nil)
    }

    @Test func hijacksShapeMatchingQueriesOnly() throws {
        let rules = DNSRuleSet()
        let responder = DNSResponder(zone: DNSFixture.zone(), rules: rules)
        rules.install(try DNSRule(
            fault: "poison", hijack: DNSHijack(name: "*.service.consul", type: .a, hosts: ["client"], action: .answer([.ipv4(IPv4Address(parsing: "198.18.9.9")!)]), ttl: .seconds(3)),
            seed: 1, hosts: DNSFixture.hosts))
        let hit = DNSFixture.respond(DNSFixture.query("CONSUL.service.consul"), responder: responder)
        #expect(hit.outcome.answers == ["A 198.18.9.9"] && hit.outcome.fault == "poison" && hit.message?.answers.first?.ttl == 3)
        #expect(DNSFixture.respond(DNSFixture.query("consul.service.consul"), responder: responder, host: "api").outcome.fault == nil)
        #expect(DNSFixture.respond(DNSFixture.query("service.consul"), responder: responder).outcome.fault == nil)
        #expect(DNSFixture.respond(DNSFixture.query("api"), responder: responder).outcome.fault == nil)
        rules.remove(fault: "poison")
        #expect(DNSFixture.respond(DNSFixture.query("consul.service.consul"), responder: responder).outcome.answers == ["A 198.18.0.2"])
    }

    @Test func hijackActionsGiveTheirAnswers() throws {
        func shaped(_ action: DNSHijackAction, ttl: TimeSpan? = nil, transport: DNSTransport = .udp) throws -> (DNSResponder.Outcome, DNSMessage?) {
            let rules = DNSRuleSet()
            rules.install(try DNSRule(fault: "f", hijack: DNSHijack(name: "api", action: action, ttl: ttl), seed: 0, hosts: DNSFixture.hosts))
            return DNSFixture.respond(DNSFixture.query("api"), responder: DNSResponder(zone: DNSFixture.zone(), rules: rules), transport: transport)
        }
        #expect(try shaped(.rcode(.servfail)).1?.rcode == .servFail)
        #expect(try shaped(.rcode(.nxdomain)).1?.rcode == .nxDomain)
        #expect(try shaped(.drop).0.response == nil)
        #expect(try shaped(.delay(.milliseconds(50))).0.delay == .milliseconds(50))
        #expect(try shaped(.truncate).1?.header.truncated == true)
        #expect(try shaped(.truncate, transport: .tcp).0.answers == ["A 198.18.0.2"])
        #expect(try shaped(.shapeTTL, ttl: .zero).1?.answers.first?.ttl == 0)
    }

    @Test func firstNAffectsExactlyNQueriesAndProbabilityReplaysFromTheSeed() throws {
        let rules = DNSRuleSet()
        let responder = DNSResponder(zone: DNSFixture.zone(), rules: rules)
        rules.install(try DNSRule(fault: "f", hijack: DNSHijack(name: "api", action: .drop, first: 3), seed: 0, hosts: [:]))
        let dropped = (0..<10).map { _ in DNSFixture.respond(DNSFixture.query("api"), responder: responder).outcome.response == nil }
        #expect(dropped == [true, true, true] + Array(repeating: false, count: 7))

        func pattern(seed: UInt64) throws -> [Bool] {
            let rules = DNSRuleSet()
            rules.install(try DNSRule(fault: "f", hijack: DNSHijack(name: "api", action: .drop, probability: Percentage(percent: 50)), seed: seed, hosts: [:]))
            let responder = DNSResponder(zone: DNSFixture.zone(), rules: rules)
            return (0..<200).map { _ in DNSFixture.respond(DNSFixture.query("api"), responder: responder).outcome.response == nil }
        }
        let a = try pattern(seed: 42)
        #expect(a == (try pattern(seed: 42)))
        #expect(a != (try pattern(seed: 43)))
        #expect((70...130).contains(a.count { $0 }))
    }
}
