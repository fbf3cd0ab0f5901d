import Faults
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
