import Faults
import Netlink
import ScenarioFormat
import Testbed
import Testing

struct PartitionEffectTests {
    static let topology = try! TopologyPlan.make(runID: "x", hosts: ["a", "b"], network: .defaultTestbed)

    func effect(_ mode: PartitionMode, _ backend: RecordingBackend, oneWay: Bool = false) throws -> any FaultEffect {
        var cuts = [DirectedPair(from: "a", to: "b")]
        if !oneWay { cuts.append(DirectedPair(from: "b", to: "a")) }
        return try FaultEngine.make(
            .partition(Partition(cuts: cuts, mode: mode)), plan: Self.topology, backend: backend,
            netfilter: RecordingNetfilter(into: backend))
    }

    @Test func dropAppliesThenHealsInReverse() throws {
        let backend = RecordingBackend()
        let fault = try effect(.drop, backend)
        #expect(fault.engine == .fibRule)
        try fault.apply()
        try fault.heal()
        #expect(backend.trace == [
            "ip -n fl-x-router rule add from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100",
            "ip -n fl-x-router rule add from 198.18.0.3/32 to 198.18.0.2/32 blackhole priority 100",
            "ip -n fl-x-router rule del from 198.18.0.3/32 to 198.18.0.2/32 blackhole priority 100",
            "ip -n fl-x-router rule del from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100",
        ])
    }

    @Test func rejectOneWayAnswersOnlyThatDirectionInTheRouter() throws {
        let backend = RecordingBackend()
        let fault = try effect(.reject, backend, oneWay: true)
        #expect(fault.engine == .iptables)
        try fault.apply()
        try fault.heal()
        #expect(backend.trace == [
            "ip netns exec fl-x-router iptables -w -I FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -j REJECT --reject-with icmp-host-unreachable",
            "ip netns exec fl-x-router iptables -w -D FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -j REJECT --reject-with icmp-host-unreachable",
        ])
    }

    @Test func resetUsesIPTablesInTheRoutersForwardChain() throws {
        let backend = RecordingBackend()
        let fault = try effect(.reset, backend, oneWay: true)
        #expect(fault.engine == .iptables)
        try fault.apply()
        try fault.heal()
        #expect(backend.trace == [
            "ip netns exec fl-x-router iptables -w -I FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -j REJECT --reject-with icmp-port-unreachable",
            "ip netns exec fl-x-router iptables -w -I FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -p tcp -j REJECT --reject-with tcp-reset",
            "ip netns exec fl-x-router iptables -w -D FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -p tcp -j REJECT --reject-with tcp-reset",
            "ip netns exec fl-x-router iptables -w -D FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -j REJECT --reject-with icmp-port-unreachable",
        ])
    }

    @Test func healIsIdempotentAndApplyTwiceIsOnce() throws {
        let backend = RecordingBackend()
        let fault = try effect(.drop, backend, oneWay: true)
        try fault.heal()
        try fault.apply()
        try fault.apply()
        try fault.heal()
        try fault.heal()
        #expect(backend.trace.filter { $0.contains("rule add") }.count == 1)
        #expect(try backend.rules(in: Self.topology.routerNamespace).isEmpty)
    }

    @Test func aFailedApplyUndoesWhatItDid() throws {
        let backend = RecordingBackend(failing: "rule add from 198.18.0.3/32")
        let fault = try effect(.drop, backend)
        #expect(throws: NetlinkError.self) { try fault.apply() }
        #expect(backend.trace.last == "ip -n fl-x-router rule del from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100")
        #expect(try backend.rules(in: Self.topology.routerNamespace).isEmpty)
    }

    /// The runner registers a heal before applying, so it may meet a partition never or half applied.
    @Test(arguments: [PartitionMode.drop, .reject, .reset])
    func healingAPartitionNeverOrHalfAppliedIsHarmless(mode: PartitionMode) throws {
        try effect(mode, RecordingBackend()).heal()
        let backend = RecordingBackend(failing: mode == .drop ? "rule add from 198.18.0.3/32" : "-I FORWARD -s 198.18.0.3/32")
        let half = try effect(mode, backend)
        #expect(throws: NetlinkError.self) { try half.apply() }
        try half.heal()
        try half.heal()
        #expect(try backend.rules(in: Self.topology.routerNamespace).isEmpty)
    }

    @Test func detailListsTheEquivalentCommands() throws {
        let fault = try effect(.reject, RecordingBackend())
        #expect(fault.detail == """
            ip netns exec fl-x-router iptables -w -I FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -j REJECT --reject-with icmp-host-unreachable
            ip netns exec fl-x-router iptables -w -I FORWARD -s 198.18.0.3/32 -d 198.18.0.2/32 -j REJECT --reject-with icmp-host-unreachable
            """)
    }
}
