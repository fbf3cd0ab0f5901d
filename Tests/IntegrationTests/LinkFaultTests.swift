import FaultlineCore
import Faults
import Foundation
import Glibc
import LinuxSystem
import Netlink
import ScenarioFormat
import Testbed
import Testing

/// The userspace link engine measured with real UDP and TCP traffic through the router.
@Suite(.serialized, .enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct LinkFaultTests {
    static func link(_ topology: Topology, _ link: LinkFault, seed: UInt64 = 7, name: String = "link") throws -> LinkEffect {
        let fault = Fault(name: name, at: .zero, kind: .link(link))
        return try FaultEngine.make(fault: fault, topology: topology, environment: FaultEnvironment(seed: seed)) as! LinkEffect
    }

    static func oneWay(_ link: LinkFault, from: String = "a", to: String = "b") -> LinkFault {
        var l = link
        l.pairs = [DirectedPair(from: from, to: to)]
        l.engine = .userspace
        return l
    }

    @Test func delayAddsFiftyMillisecondsWithinOneMillisecondAtTheMedian() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let baseline = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7201, count: 200, rate: 1000)
            let effect = try Self.link(topology, Self.oneWay(LinkFault(pairs: [], delay: .milliseconds(50))))
            defer { try? effect.heal() }
            try effect.apply()
            let delayed = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7201, count: 400, rate: 1000)
            #expect(delayed.count == 400)
            let added = Stats.median(delayed.map(\.oneWay)) - Stats.median(baseline.map(\.oneWay))
            Fidelity.report("userspace delay", asked: "50 ms", measured: String(format: "%.3f ms added at the median (baseline median %.3f ms)",
                                                                             added, Stats.median(baseline.map(\.oneWay))), bar: "±1 ms")
            #expect(abs(added - 50) <= 1, "median added delay \(added) ms")
        }
    }

    @Test func normalJitterOfTenMillisecondsHasThatStandardDeviation() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let effect = try Self.link(topology, Self.oneWay(LinkFault(
                pairs: [], delay: .milliseconds(40), jitter: .milliseconds(10), distribution: .normal)))
            defer { try? effect.heal() }
            try effect.apply()
            let arrivals = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7202, count: 1500, rate: 3000)
            let sd = Stats.standardDeviation(arrivals.map(\.oneWay))
            Fidelity.report("userspace normal jitter", asked: "10 ms standard deviation", measured: String(format: "sd %.2f ms", sd), bar: "±2 ms")
            #expect(abs(sd - 10) <= 2, "standard deviation \(sd) ms")
        }
    }

    /// Loss 10 % over 5000 packets, and the same seed losing the same packets.
    @Test func lossIsBinomialAndTheSeedReplaysIt() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            func lost(seed: UInt64) throws -> Set<Int> {
                let effect = try Self.link(topology, Self.oneWay(LinkFault(pairs: [], loss: .random(Percentage(percent: 10)))), seed: seed)
                defer { try? effect.heal() }
                try effect.apply()
                let arrivals = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7203, count: 5000, rate: 20_000, settle: 0.2)
                try effect.heal()
                #expect(effect.lastStatistics?.received == 5000)
                return Set(0..<5000).subtracting(arrivals.map(\.sequence))
            }
            let first = try lost(seed: 1)
            Fidelity.report("userspace loss", asked: "10 % of 5000", measured: "\(first.count) lost", bar: "446…554, the 99 % binomial interval")
            // 99 % binomial interval for n = 5000, p = 0.1: 500 ± 2.576 · √450.
            #expect((446...554).contains(first.count), "lost \(first.count) of 5000")
            #expect(try lost(seed: 1) == first)
            #expect(try lost(seed: 2) != first)
        }
    }

    @Test func gilbertElliottLosesInBurstsOfOneOverR() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let ge = GilbertElliott(p: Percentage(percent: 5), r: Percentage(percent: 25))
            let effect = try Self.link(topology, Self.oneWay(LinkFault(pairs: [], loss: .gilbertElliott(ge))))
            defer { try? effect.heal() }
            try effect.apply()
            let arrivals = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7204, count: 6000, rate: 20_000, settle: 0.2)
            let got = Set(arrivals.map(\.sequence))
            var bursts: [Int] = []
            var run = 0
            for seq in 0..<6000 {
                if got.contains(seq) { if run > 0 { bursts.append(run) }; run = 0 } else { run += 1 }
            }
            let mean = Double(bursts.reduce(0, +)) / Double(max(bursts.count, 1))
            #expect(abs(mean - 4) <= 0.8, "mean burst \(mean) packets over \(bursts.count) bursts")
        }
    }

    @Test func duplicationCorruptionAndReorderingShowAtTheReceiver() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let effect = try Self.link(topology, Self.oneWay(LinkFault(
                pairs: [], delay: .milliseconds(5), duplicate: Percentage(percent: 10), corrupt: Percentage(percent: 10),
                reorder: Reorder(percent: Percentage(percent: 20), gap: 1))))
            defer { try? effect.heal() }
            try effect.apply()
            let arrivals = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7205, count: 3000, rate: 5000)
            let duplicates = arrivals.count - Set(arrivals.map(\.sequence)).count
            let corrupted = arrivals.filter { !$0.intact }.count
            var highest = -1, overtaken = 0
            for a in arrivals { if a.sequence < highest { overtaken += 1 }; highest = max(highest, a.sequence) }
            // 10 % of 3000 = 300 (±3σ ≈ ±50). A flipped bit lands in the 8 timestamp bytes (unchecked)
            // one time in 7, so about 257 corrupted datagrams are seen.
            #expect((240...360).contains(duplicates), "\(duplicates) duplicates")
            #expect((205...310).contains(corrupted), "\(corrupted) corrupted")
            #expect(overtaken > 300, "\(overtaken) arrivals behind a later sequence number")
        }
    }

    @Test func rateOfTenMegabitsGivesThatTCPGoodput() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let effect = try Self.link(topology, Self.oneWay(LinkFault(pairs: [], rate: Bitrate(bitsPerSecond: 10_000_000))))
            defer { try? effect.heal() }
            try effect.apply()
            #expect(effect.plan.engine == .htb)
            let goodput = try LinkTraffic.tcpGoodput(topology, from: "a", to: "b", port: 7206, bytes: 2_000_000)
            Fidelity.report("htb rate", asked: "10 Mbit/s", measured: String(format: "%.2f Mbit/s TCP goodput", goodput / 1e6), bar: "±10 %")
            #expect(abs(goodput - 10e6) <= 1e6, "goodput \(goodput / 1e6) Mbit/s")
        }
    }

    @Test func portsLimitTheFaultToThatTraffic() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let effect = try Self.link(topology, Self.oneWay(LinkFault(pairs: [], delay: .milliseconds(50), ports: [7207])))
            defer { try? effect.heal() }
            try effect.apply()
            let slow = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7207, count: 100, rate: 1000)
            let fast = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7208, count: 100, rate: 1000)
            #expect(Stats.median(slow.map(\.oneWay)) > 49)
            #expect(Stats.median(fast.map(\.oneWay)) < 5)
        }
    }

    @Test func healRestoresTheCleanPathAndLeavesNoRuleOrQdisc() throws {
        try TopologyFixture.withTopology(["a", "b", "c"]) { topology in
            let effect = try Self.link(topology, LinkFault(
                pairs: [DirectedPair(from: "a", to: "b"), DirectedPair(from: "c", to: "b")], delay: .milliseconds(30),
                rate: Bitrate(bitsPerSecond: 50_000_000), engine: .userspace))
            try effect.apply()
            #expect(try Self.iptablesRules(topology).count == 2)
            #expect(try topology.backend.qdiscs(in: topology.routerNamespace).contains { $0.contains("htb") })
            try effect.heal()
            try effect.heal()
            let after = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7209, count: 100, rate: 1000)
            #expect(after.count == 100)
            #expect(Stats.median(after.map(\.oneWay)) < 5)
            #expect(try Self.iptablesRules(topology).isEmpty)
            #expect(try !topology.backend.qdiscs(in: topology.routerNamespace).contains { $0.contains("htb") || $0.contains("netem") })
        }
    }

    /// The NFQUEUE steering rules in the router: in Faultline's nf_tables table, counted from the
    /// kernel, or in the FORWARD chain where x_tables is the engine (the guest kernel).
    static func iptablesRules(_ topology: Topology) throws -> [String] {
        if NetfilterChoice.nftablesProblem(on: topology.routerThread) == nil {
            let count = try NFTablesNetfilter.ruleCount(on: topology.routerThread)
            return (0..<count).map { "nf_tables rule \($0 + 1) of table ip faultline" }
        }
        let path = try SpawningIPTables.executable(on: topology.routerThread)
        let out = try topology.routerThread.run { () throws -> String in
            let file = "/tmp/fl-iptables-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            defer { unlink(file) }
            let outcome = try ExternalCommand.run("/bin/sh", ["-c", "\(path) -w -S FORWARD > \(file)"])
            guard outcome.succeeded else { throw SystemCallError("listing FORWARD rules", outcome.standardError) }
            return try String(contentsOfFile: file, encoding: .utf8)
        }
        return out.split(separator: "\n").filter { $0.contains("NFQUEUE") }.map(String.init)
    }
}
