import Foundation
import Glibc
import LinuxSystem
import Netlink
import ScenarioFormat
import Testbed
import Testing

@Suite(.serialized, .enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct TopologyTests {
    @Test func hostsReachEachOtherAcrossTheRouterAndRootIsUntouched() throws {
        let before = try LibNLBackend.snapshotOfCallingThreadNamespace()
        var prefix = ""
        try TopologyFixture.withTopology(["a", "b", "c"]) { (topology: Topology) throws in
            prefix = topology.plan.namespacePrefix
            #expect(NetworkNamespace.list(prefix: prefix).count == 4)
            let c = try topology.address(of: "c")
            let listener = try SocketProbe.listen(on: topology.thread(of: "c"), c, 7001)
            defer { close(listener) }
            #expect(try SocketProbe.exchange(from: topology.thread(of: "a"), to: c, 7001, listener: listener, message: "a→c") == "a→c")
            #expect(try SocketProbe.exchange(from: topology.thread(of: "b"), to: c, 7001, listener: listener, message: "b→c") == "b→c")
            let a = try topology.address(of: "a")
            let listenerA = try SocketProbe.listen(on: topology.thread(of: "a"), a, 7002)
            defer { close(listenerA) }
            #expect(try SocketProbe.exchange(from: topology.thread(of: "c"), to: a, 7002, listener: listenerA) == "faultline")
        }
        #expect(NetworkNamespace.list(prefix: prefix).isEmpty)
        let after = try LibNLBackend.snapshotOfCallingThreadNamespace()
        #expect(before == after)
    }

    @Test func forwardingIsOnInTheRouterOnly() throws {
        try TopologyFixture.withTopology(["a"]) { (topology: Topology) throws in
            #expect(try SocketProbe.sysctl("net/ipv4/ip_forward", on: topology.routerThread) == "1")
            #expect(try SocketProbe.sysctl("net/ipv4/ip_forward", on: topology.thread(of: "a")) == "0")
        }
    }

    @Test func hostsHaveTheirPlannedAddressesAndInterfaces() throws {
        try TopologyFixture.withTopology(["a", "b"]) { (topology: Topology) throws in
            #expect(try topology.address(of: "a").description == "198.18.0.2")
            #expect(try topology.address(of: "b").description == "198.18.0.3")
            #expect(topology.routerAddress.description == "198.18.0.1")
            let eth0 = try topology.backend.interfaceIndex(of: "eth0", in: topology.namespace(of: "b"))
            #expect(eth0 > 1)
            let h1 = try topology.backend.interfaceIndex(of: "h1", in: topology.routerNamespace)
            #expect(h1 > 1)
        }
    }

    @Test func failedBuildRemovesWhatItCreated() throws {
        let plan = try TopologyPlan.make(runID: TopologyFixture.runID(), hosts: ["a", "b"], network: .defaultTestbed)
        // Someone else's namespace already has b's name: building must stop there and leave it be.
        let squatter = try NetworkNamespace.create(plan.namespacePrefix + "b")
        defer { try? squatter.delete() }
        #expect(throws: SystemCallError.self) { try Topology.build(plan) }
        #expect(NetworkNamespace.list(prefix: plan.namespacePrefix) == [squatter])
    }

    @Test func teardownIsIdempotent() throws {
        let plan = try TopologyPlan.make(runID: TopologyFixture.runID(), hosts: ["a"], network: .defaultTestbed)
        let topology = try Topology.build(plan)
        try topology.teardown()
        try topology.teardown()
        #expect(NetworkNamespace.list(prefix: plan.namespacePrefix).isEmpty)
    }

    @Test func leftoversOfACrashedRunAreRemovedByRunID() throws {
        let plan = try TopologyPlan.make(runID: TopologyFixture.runID(), hosts: ["a", "b"], network: .defaultTestbed)
        let topology = try Topology.build(plan)
        defer { try? topology.teardown() }
        // As if the process had died: the names stay pinned in /run/netns.
        let removed = Topology.removeLeftovers(runID: plan.runID)
        #expect(Set(removed) == Set(["router", "a", "b"].map { plan.namespacePrefix + $0 }))
        #expect(NetworkNamespace.list(prefix: plan.namespacePrefix).isEmpty)
    }
}
