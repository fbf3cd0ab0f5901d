import Faults
import Netlink
import ScenarioFormat
import Testbed
import Testing

struct PartitionPlannerTests {
    static let topology = try! TopologyPlan.make(runID: "x", hosts: ["a", "b", "c"], network: .defaultTestbed)

    static func between(_ x: String, _ y: String) -> [DirectedPair] {
        [DirectedPair(from: x, to: y), DirectedPair(from: y, to: x)]
    }

    static func groups(_ left: [String], _ right: [String]) -> [DirectedPair] {
        left.flatMap { l in right.flatMap { r in between(l, r) } }
    }

    func commands(_ cuts: [DirectedPair], _ mode: PartitionMode) throws -> [String] {
        try PartitionPlanner.plan(Partition(cuts: cuts, mode: mode), topology: Self.topology).changes.map(\.applyCommand)
    }

    @Test func dropBetweenTwoHostsBlackholesBothDirectionsInTheRouter() throws {
        #expect(try commands(Self.between("a", "b"), .drop) == [
            "ip -n fl-x-router rule add from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100",
            "ip -n fl-x-router rule add from 198.18.0.3/32 to 198.18.0.2/32 blackhole priority 100",
        ])
    }

    @Test func rejectOneWayIsAHostUnreachableRejectInTheRouterForThatDirectionOnly() throws {
        #expect(try commands([DirectedPair(from: "a", to: "b")], .reject) == [
            "ip netns exec fl-x-router iptables -w -I FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -j REJECT --reject-with icmp-host-unreachable",
        ])
    }

    @Test func resetPutsTheTCPResetRuleAboveTheCatchAll() throws {
        #expect(try commands([DirectedPair(from: "c", to: "a")], .reset) == [
            "ip netns exec fl-x-router iptables -w -I FORWARD -s 198.18.0.4/32 -d 198.18.0.2/32 -j REJECT --reject-with icmp-port-unreachable",
            "ip netns exec fl-x-router iptables -w -I FORWARD -s 198.18.0.4/32 -d 198.18.0.2/32 -p tcp -j REJECT --reject-with tcp-reset",
        ])
    }

    @Test(arguments: PartitionMode.allCases)
    func groupsCutEveryCrossPairAndNothingWithinAGroup(mode: PartitionMode) throws {
        let plan = try PartitionPlanner.plan(Partition(cuts: Self.groups(["a"], ["b", "c"]), mode: mode), topology: Self.topology)
        #expect(Set(plan.cuts.map(\.description)) == ["a→b", "b→a", "a→c", "c→a"])
        #expect(plan.changes.count == (mode == .reset ? 8 : 4))
        #expect(!plan.changes.map(\.applyCommand).contains { $0.contains("198.18.0.3/32 to 198.18.0.4/32") })
    }

    @Test func duplicateCutsArePlannedOnce() throws {
        let cuts = Self.between("a", "b") + Self.between("b", "a")
        #expect(try commands(cuts, .drop).count == 2)
    }

    @Test func unknownHostsAndSelfCutsAreRefused() {
        #expect(throws: TopologyError(.unknownHost("z"))) {
            try PartitionPlanner.plan(Partition(cuts: [DirectedPair(from: "a", to: "z")]), topology: Self.topology)
        }
        #expect(throws: FaultError(.selfCut("a"))) {
            try PartitionPlanner.plan(Partition(cuts: [DirectedPair(from: "a", to: "a")]), topology: Self.topology)
        }
    }
}
