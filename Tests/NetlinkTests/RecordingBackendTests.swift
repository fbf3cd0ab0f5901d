import LinuxSystem
import Netlink
import Testing

struct RecordingBackendTests {
    let ns = NetworkNamespace(name: "fl-x-router")
    let rule = FIBRule(to: IPv4Prefix(address: 0xC612_0003), action: .unreachable, priority: 100)

    @Test func recordsCallsAsIPCommands() throws {
        let backend = RecordingBackend()
        try backend.setLinkUp("lo", in: ns)
        try backend.addRule(rule, in: ns)
        try backend.deleteRule(rule, in: ns)
        try backend.setSysctl("net/ipv4/ip_forward", to: "1", in: ns)
        #expect(backend.trace == [
            "ip -n fl-x-router link set lo up",
            "ip -n fl-x-router rule add to 198.18.0.3/32 unreachable priority 100",
            "ip -n fl-x-router rule del to 198.18.0.3/32 unreachable priority 100",
            "ip netns exec fl-x-router sysctl -w net.ipv4.ip_forward=1",
        ])
    }

    @Test func addingARuleTwiceFailsLikeTheKernel() throws {
        let backend = RecordingBackend()
        try backend.addRule(rule, in: ns)
        #expect(throws: NetlinkError.self) { try backend.addRule(rule, in: ns) }
        try backend.deleteRule(rule, in: ns)
        try backend.deleteRule(rule, in: ns)
        #expect(try backend.rules(in: ns).isEmpty)
    }


    @Test func theTraceRecordsTheTypedRequest() throws {
        let backend = RecordingBackend()
        try backend.addRule(rule, in: ns)
        try backend.deleteQdisc(Qdisc(device: "h1", handle: TrafficControlHandle(1), kind: .htb(defaultClass: 0)), in: ns)
        try backend.record("ip netns exec fl-x-router iptables -w -S")
        #expect(backend.recorded.map(\.request?.operation) == [.addRule, .deleteQdisc, nil])
        #expect(backend.recorded.first?.request == NetlinkRequest(.addRule, rule.description, in: "fl-x-router"))
    }

    @Test func anInjectedFailureReadsLikeTheKernelRefusingTheRequest() {
        let backend = RecordingBackend(failing: "rule add")
        #expect(throws: NetlinkRequest(.addRule, rule.description, in: "fl-x-router").failure(-28)) {
            try backend.addRule(rule, in: ns)
        }
    }
}
