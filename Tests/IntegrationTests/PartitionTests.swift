import Faults
import Foundation
import Glibc
import LinuxSystem
import Netlink
import ScenarioFormat
import Testbed
import Testing

/// Each partition mode, measured with real connects between three hosts.
@Suite(.serialized, .enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct PartitionTests {
    static let port: UInt16 = 7100

    static func partition(_ cuts: [(String, String)], _ mode: PartitionMode, in topology: Topology, slot: Int = 0) throws -> any FaultEffect {
        let fault = Fault(
            name: "cut", at: .zero,
            kind: .partition(Partition(cuts: cuts.map { DirectedPair(from: $0.0, to: $0.1) }, mode: mode)))
        return try FaultEngine.make(fault: fault, topology: topology, slot: slot)
    }

    @Test(arguments: PartitionMode.allCases)
    func overlappingPartitionsOfOnePairEachKeepTheirOwnCut(mode: PartitionMode) throws {
        try TopologyFixture.withTopology(["a", "b"]) { (topology: Topology) throws in
            try Self.withListeners(topology) { _ in
                let first = try Self.partition([("a", "b")], mode, in: topology, slot: 0)
                let second = try Self.partition([("a", "b")], mode, in: topology, slot: 1)
                defer {
                    try? first.heal()
                    try? second.heal()
                }
                try first.apply()
                try second.apply()
                try first.heal()
                // The second fault still cuts the pair after the first healed.
                #expect(try Self.connect("a", "b", topology, timeout: .milliseconds(300)).outcome != .connected)
                try second.heal()
                #expect(try Self.connect("a", "b", topology).outcome == .connected)
            }
        }
    }

    /// Listens on every host and runs `body`; closes the listeners afterwards.
    static func withListeners(_ topology: Topology, _ body: ([String: Int32]) throws -> Void) throws {
        var listeners: [String: Int32] = [:]
        defer { for fd in listeners.values { close(fd) } }
        for host in topology.hosts {
            listeners[host] = try SocketProbe.listen(on: topology.thread(of: host), topology.address(of: host), port)
        }
        try body(listeners)
    }

    static func connect(_ from: String, _ to: String, _ topology: Topology, timeout: Duration = .seconds(1)) throws -> (outcome: ConnectOutcome, elapsed: Duration) {
        let r = try SocketProbe.connect(from: topology.thread(of: from), to: topology.address(of: to), port, timeout: timeout)
        if r.fd >= 0 { close(r.fd) }
        return (r.outcome, r.elapsed)
    }

    @Test func dropMakesConnectsTimeOutUntilHealed() throws {
        try TopologyFixture.withTopology(["a", "b", "c"]) { (topology: Topology) throws in
            try Self.withListeners(topology) { _ in
                let cut = try Self.partition([("a", "b"), ("b", "a")], .drop, in: topology)
                defer { try? cut.heal() }
                try cut.apply()
                let (outcome, elapsed) = try Self.connect("a", "b", topology)
                #expect(outcome == .timedOut)
                #expect(elapsed >= .milliseconds(900))
                #expect(try Self.connect("c", "b", topology).outcome == .connected)
                try cut.heal()
                #expect(try Self.connect("a", "b", topology).outcome == .connected)
            }
        }
    }

    @Test(.enabled(if: ExternalCommand.locate("iptables") != nil, "needs iptables (Debian package iptables)"))
    func rejectFailsFastWithEHOSTUNREACHEveryTime() throws {
        try TopologyFixture.withTopology(["a", "b", "c"]) { (topology: Topology) throws in
            try Self.withListeners(topology) { _ in
                let cut = try Self.partition([("a", "b")], .reject, in: topology)
                defer { try? cut.heal() }
                try cut.apply()
                // Far past the kernel's ICMP limits (a burst of 50, then 1000/s; 1/s per peer):
                // every attempt must still be answered, none may fall back to a timeout.
                var outcomes: [ConnectOutcome: Int] = [:]
                var slowest = Duration.zero
                for _ in 0..<2000 {
                    let (outcome, elapsed) = try Self.connect("a", "b", topology)
                    outcomes[outcome, default: 0] += 1
                    slowest = max(slowest, elapsed)
                }
                #expect(outcomes == [.failed(errno: EHOSTUNREACH): 2000])
                #expect(slowest < .milliseconds(50))
                #expect(try Self.connect("b", "c", topology).outcome == .connected)
                #expect(try Self.connect("c", "a", topology).outcome == .connected)
                try cut.heal()
                #expect(try Self.connect("a", "b", topology).outcome == .connected)
            }
        }
    }

    @Test(.enabled(if: ExternalCommand.locate("iptables") != nil, "needs iptables (Debian package iptables)"))
    func resetRefusesConnectsFastUntilHealed() throws {
        try TopologyFixture.withTopology(["a", "b", "c"]) { (topology: Topology) throws in
            try Self.withListeners(topology) { _ in
                let cut = try Self.partition([("a", "b")], .reset, in: topology)
                defer { try? cut.heal() }
                try cut.apply()
                for _ in 0..<5 {
                    let (outcome, elapsed) = try Self.connect("a", "b", topology)
                    #expect(outcome == .failed(errno: ECONNREFUSED))
                    #expect(elapsed < .milliseconds(50))
                }
                #expect(try Self.connect("b", "c", topology).outcome == .connected)
                #expect(try Self.connect("c", "a", topology).outcome == .connected)
                try cut.heal()
                try cut.heal()  // idempotent: iptables -D of a missing rule is fine
                #expect(try Self.connect("a", "b", topology).outcome == .connected)
            }
        }
    }

    @Test func oneWayDropLetsDatagramsThroughTheOtherWay() throws {
        try TopologyFixture.withTopology(["a", "b"]) { (topology: Topology) throws in
            let a = try topology.address(of: "a"), b = try topology.address(of: "b")
            let inboxA = try SocketProbe.socket(on: topology.thread(of: "a"), type: Int32(SOCK_DGRAM.rawValue), bindTo: a, port: 7200)
            let inboxB = try SocketProbe.socket(on: topology.thread(of: "b"), type: Int32(SOCK_DGRAM.rawValue), bindTo: b, port: 7200)
            defer { close(inboxA); close(inboxB) }
            let cut = try Self.partition([("a", "b")], .drop, in: topology)
            defer { try? cut.heal() }
            try cut.apply()
            try SocketProbe.sendDatagram(from: topology.thread(of: "a"), to: b, 7200, "a→b")
            try SocketProbe.sendDatagram(from: topology.thread(of: "b"), to: a, 7200, "b→a")
            #expect(SocketProbe.receiveDatagram(inboxA) == "b→a")
            #expect(SocketProbe.receiveDatagram(inboxB) == nil)
            try cut.heal()
            try SocketProbe.sendDatagram(from: topology.thread(of: "a"), to: b, 7200, "healed")
            #expect(SocketProbe.receiveDatagram(inboxB) == "healed")
        }
    }

    @Test func partitionRulesLiveOnlyInTheTestbed() throws {
        let before = try LibNLBackend.snapshotOfCallingThreadNamespace()
        try TopologyFixture.withTopology(["a", "b"]) { (topology: Topology) throws in
            let cut = try Self.partition([("a", "b"), ("b", "a")], .drop, in: topology)
            try cut.apply()
            #expect(try topology.backend.rules(in: topology.routerNamespace).filter { $0.contains("198.18.0.") }.count == 2)
            #expect(try LibNLBackend.snapshotOfCallingThreadNamespace() == before)
            // Left applied on purpose: deleting the namespaces removes the rules.
        }
        #expect(try LibNLBackend.snapshotOfCallingThreadNamespace() == before)
    }
}
