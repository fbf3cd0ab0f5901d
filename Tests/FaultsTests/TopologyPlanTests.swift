import FaultlineCore
import Netlink
import ScenarioFormat
import Testbed
import Testing

/// TopologyPlan lives in Testbed, which has no unit-test target of its own; FaultsTests depends on it.
struct TopologyPlanTests {
    @Test func numbersHostsAfterTheRouterAndNamesNamespacesAfterTheRun() throws {
        let plan = try TopologyPlan.make(runID: "3a9c", hosts: ["api", "db"], network: .defaultTestbed)
        #expect(plan.routerNamespace.name == "fl-3a9c-router")
        #expect(plan.routerAddress.description == "198.18.0.1")
        #expect(plan.hosts.map(\.namespace.name) == ["fl-3a9c-api", "fl-3a9c-db"])
        #expect(plan.hosts.map(\.address.description) == ["198.18.0.2", "198.18.0.3"])
        #expect(plan.routerInterfaces == ["api": "h0", "db": "h1"])
    }

    @Test func stepsBuildTheRouterThenEachHostWithRoutedSlash32s() throws {
        let plan = try TopologyPlan.make(runID: "x", hosts: ["a"], network: .defaultTestbed)
        #expect(plan.steps.map(\.description) == [
            "ip netns add fl-x-router",
            "ip -n fl-x-router link set lo up",
            "ip netns exec fl-x-router sysctl -qw net.ipv4.ip_forward=1",
            "ip netns exec fl-x-router sysctl -qw net.ipv4.ip_default_ttl=255",
            "ip netns exec fl-x-router sysctl -qw net.ipv4.icmp_ratelimit=0",
            "ip netns exec fl-x-router sysctl -qw net.ipv4.icmp_ratemask=0",
            "ip netns add fl-x-a",
            "ip -n fl-x-a link set lo up",
            "ip -n fl-x-router link add h0 up type veth peer name eth0 netns fl-x-a",
            "ip -n fl-x-a link set eth0 up",
            "ip -n fl-x-a address add 198.18.0.2/32 dev eth0",
            "ip -n fl-x-a route add default via 198.18.0.1 dev eth0 onlink",
            "ip -n fl-x-router address add 198.18.0.1/32 dev h0",
            "ip -n fl-x-router route add 198.18.0.2/32 dev h0 scope link",
        ])
    }

    @Test func routerInterfaceNamesFitIFNAMSIZ() throws {
        let hosts = (0..<253).map { "host-with-a-long-name-\($0)" }
        let plan = try TopologyPlan.make(runID: "r", hosts: hosts, network: .defaultTestbed)
        #expect(plan.hosts.allSatisfy { $0.routerInterface.utf8.count <= 15 })
    }

    @Test(arguments: [("198.18.0.0/30", 1, true), ("198.18.0.0/30", 2, false), ("198.18.0.0/24", 253, true), ("198.18.0.0/24", 254, false), ("198.18.0.0/31", 0, true)])
    func throwsWhenTheNetworkIsTooSmall(network: String, hosts: Int, fits: Bool) throws {
        let net = try #require(IPv4Network(parsing: network))
        let names = (0..<hosts).map { "h\($0)" }
        if fits {
            _ = try TopologyPlan.make(runID: "r", hosts: names, network: net)
        } else {
            #expect(throws: TopologyError.self) { try TopologyPlan.make(runID: "r", hosts: names, network: net) }
        }
    }

    @Test(arguments: ["", "a/b", "router", "with space", ".."])
    func refusesNamesThatCannotNameANamespace(name: String) {
        #expect(throws: TopologyError.self) { try TopologyPlan.make(runID: "r", hosts: [name], network: .defaultTestbed) }
    }

    @Test func refusesDuplicateHosts() {
        #expect(throws: TopologyError(.duplicateHost("a"))) { try TopologyPlan.make(runID: "r", hosts: ["a", "a"], network: .defaultTestbed) }
    }
}
