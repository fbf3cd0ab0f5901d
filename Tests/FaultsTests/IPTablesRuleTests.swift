import CNFTables
@testable import Faults
import Netlink
import Testing

struct IPTablesRuleTests {
    static let a = IPv4Prefix(address: 0xC612_0002), b = IPv4Prefix(address: 0xC612_0003)

    @Test(arguments: [
        (IPTablesRule.RejectType.icmpHostUnreachable, "icmp-host-unreachable"),
        (.icmpPortUnreachable, "icmp-port-unreachable"), (.tcpReset, "tcp-reset"),
    ])
    func rejectRulesAreInsertedAtTheTopAndDeletedByTheirType(type: IPTablesRule.RejectType, with: String) {
        let rule = IPTablesRule(chain: "FORWARD", source: Self.a, destination: Self.b, target: .reject(with: type))
        #expect(rule.addVerb == .insert)
        let tail = "FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -j REJECT --reject-with \(with)"
        #expect(rule.arguments(rule.addVerb).joined(separator: " ") == "-w -I " + tail)
        #expect(rule.arguments(.delete).joined(separator: " ") == "-w -D " + tail)
    }

    @Test func queueRulesAreAppendedSoPartitionsAboveStillCut() {
        let rule = IPTablesRule(chain: "FORWARD", source: Self.a, destination: Self.b, transport: "udp", ports: [53], target: .queue(number: 7))
        #expect(rule.addVerb == .append)
        #expect(rule.arguments(rule.addVerb).joined(separator: " ")
            == "-w -A FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -p udp -m multiport --ports 53 -j NFQUEUE --queue-num 7 --queue-bypass")
    }
}

/// The same rules as nf_tables gets them through libnftnl: what each becomes, field by field.
struct NFTablesRuleTests {
    @Test func aRejectIsOneRuleAtTheTopOfItsChainWithItsAnswer() {
        let rule = IPTablesRule(chain: "FORWARD", source: IPTablesRuleTests.a, destination: IPTablesRuleTests.b, transport: "tcp",
                                target: .reject(with: .tcpReset))
        #expect(rule.nftDescription
            == "insert rule ip faultline forward ip saddr 198.18.0.2/32 ip daddr 198.18.0.3/32 meta l4proto tcp reject with tcp reset")
        let specs = NFTablesNetfilter.specs(rule)
        #expect(specs.count == 1)
        let s = specs[0]
        #expect(s.chain == 0 && s.has_source == 1 && s.source == 0xC612_0002 && s.source_length == 32)
        #expect(s.destination == 0xC612_0003 && s.destination_length == 32 && s.l4proto == 6 && s.append == 0)
        #expect(s.verdict == 1 && s.reject_type == 1 && s.port_field == 0)
        let host = NFTablesNetfilter.specs(IPTablesRule(destination: IPv4Prefix(address: 0xC612_0000, length: 24), rejectWith: .icmpHostUnreachable))
        #expect(host.count == 1 && host[0].chain == 1 && host[0].has_source == 0 && host[0].destination_length == 24)
        #expect(host[0].reject_type == 0 && host[0].reject_code == 1 && host[0].l4proto == 0)
    }

    @Test func aQueueRuleWithPortsIsOneRulePerPortAndDirectionAppended() {
        let rule = IPTablesRule(chain: "FORWARD", source: IPTablesRuleTests.a, destination: IPTablesRuleTests.b, transport: "udp",
                                ports: [53, 8080], target: .queue(number: 7))
        let specs = NFTablesNetfilter.specs(rule)
        #expect(specs.map { [Int($0.port), Int($0.port_field)] } == [[53, 1], [53, 2], [8080, 1], [8080, 2]])
        #expect(specs.allSatisfy { $0.verdict == 2 && $0.queue_number == 7 && $0.append == 1 && $0.l4proto == 17 })
        #expect(rule.nftDescription.hasSuffix("meta l4proto udp th sport|dport { 53, 8080 } queue num 7 bypass"))
    }
}
