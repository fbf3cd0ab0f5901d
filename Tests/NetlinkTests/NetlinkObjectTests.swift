import LinuxSystem
import Netlink
import Testing

/// Each object prints as the `ip` arguments it equals.
struct NetlinkObjectTests {
    static let a = IPv4Prefix(address: 0xC612_0002)
    static let b = IPv4Prefix(address: 0xC612_0003)

    @Test(arguments: [
        (FIBRule(from: a, to: b, action: .blackhole, priority: 100), "from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100"),
        (FIBRule(to: b, action: .unreachable, priority: 100), "to 198.18.0.3/32 unreachable priority 100"),
        (FIBRule(from: a, action: .prohibit, priority: 7), "from 198.18.0.2/32 prohibit priority 7"),
        (FIBRule(action: .lookup(table: 10), priority: 5), "from all lookup 10 priority 5"),
    ])
    func rulesPrintAsIPRule(rule: FIBRule, text: String) {
        #expect(rule.description == text)
    }

    @Test func routesPrintAsIPRoute() {
        #expect(Route(to: .any, via: 0xC612_0001, device: "eth0", onlink: true).description
            == "default via 198.18.0.1 dev eth0 onlink")
        #expect(Route(to: Self.a, device: "h0").description == "198.18.0.2/32 dev h0 scope link")
        #expect(Route(.unreachable, to: Self.b).description == "unreachable 198.18.0.3/32")
    }

    @Test func vethAndAddressPrintAsIPLinkAndAddress() {
        let pair = VethPair(name: "h0", peerName: "eth0", peerNamespace: NetworkNamespace(name: "fl-x-a"))
        #expect(pair.description == "link add h0 up type veth peer name eth0 netns fl-x-a")
        #expect(InterfaceAddress(Self.a, device: "eth0").description == "address add 198.18.0.2/32 dev eth0")
    }

    @Test func prefixLengthIsClampedAndDefaultIsNamed() {
        #expect(IPv4Prefix(address: 1, length: 40).length == 32)
        #expect(IPv4Prefix.any.description == "default")
    }
}
