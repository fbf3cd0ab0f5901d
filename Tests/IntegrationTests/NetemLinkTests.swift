import FaultlineCore
import Faults
import Foundation
import Glibc
import Netlink
import ScenarioFormat
import Testbed
import Testing

/// Whether this kernel has netem: a netem qdisc tried on `lo` in a throwaway namespace.
enum NetemProbe {
    static let available: Bool = {
        guard TopologyFixture.isRoot else { return false }
        return (try? TopologyFixture.withTopology(["p"]) { topology in
            LinkCapabilities.probe(backend: topology.backend, namespace: topology.routerNamespace).netem
        }) ?? false
    }()

    /// Why the suite is skipped here; the guest-kernel leg of `scripts/test.sh` runs it.
    static let skipReason: Comment = "netem is not in this kernel (scripts/test.sh runs this suite in the guest kernel)"
}

/// The kernel engine, measured with real traffic to the same bars as the userspace engine
/// (``LinkFaultTests``): netem leaves under per-pair HTB classes on the router's egress.
@Suite(.serialized, .enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"),
       .enabled(if: NetemProbe.available, NetemProbe.skipReason))
struct NetemLinkTests {
    static func link(_ topology: Topology, _ link: LinkFault) throws -> LinkEffect {
        var l = link
        if l.pairs.isEmpty { l.pairs = [DirectedPair(from: "a", to: "b")] }
        l.engine = .netem
        let fault = Fault(name: "netem", at: .zero, kind: .link(l))
        let effect = try FaultEngine.make(fault: fault, topology: topology, environment: FaultEnvironment(netemAvailable: true)) as! LinkEffect
        #expect(effect.plan.engine == .netem)
        return effect
    }

    @Test func delayAddsFiftyMillisecondsWithinOneMillisecondAtTheMedian() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let (added, count) = try Fidelity.measure({ () throws -> (Double, Int) in
                let baseline = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7301, count: 200, rate: 500)
                let effect = try Self.link(topology, LinkFault(pairs: [], delay: .milliseconds(50)))
                defer { try? effect.heal() }
                try effect.apply()
                let delayed = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7301, count: 400, rate: 500)
                let added = Stats.median(delayed.map(\.oneWay)) - Stats.median(baseline.map(\.oneWay))
                Fidelity.report("netem delay", asked: "50 ms", measured: String(format: "%.2f ms added at the median", added), bar: "±1 ms")
                return (added, delayed.count)
            }, accept: { abs($0.0 - 50) <= 1 })
            #expect(count == 400)
            #expect(abs(added - 50) <= 1, "median added delay \(added) ms")
        }
    }

    @Test func netemDelaysOnlyTheNamedPair() throws {
        try TopologyFixture.withTopology(["a", "b", "c"]) { topology in
            let effect = try Self.link(topology, LinkFault(pairs: [DirectedPair(from: "a", to: "b")], delay: .milliseconds(50)))
            defer { try? effect.heal() }
            try effect.apply()
            let medians = try Fidelity.measure({ () throws -> [Double] in
                try [("a", "b", UInt16(7302)), ("c", "b", 7303), ("b", "a", 7304)].map { from, to, port in
                    Stats.median(try LinkTraffic.udp(topology, from: from, to: to, port: port, count: 200, rate: 500).map(\.oneWay))
                }
            }, accept: { abs($0[0] - 50) <= 1.5 && $0[1] < 5 && $0[2] < 5 })
            #expect(abs(medians[0] - 50) <= 1.5, "a→b median \(medians[0]) ms")
            #expect(medians[1] < 5, "c→b median \(medians[1]) ms")
            #expect(medians[2] < 5, "the other direction is untouched: b→a median \(medians[2]) ms")
            try effect.heal()
            #expect(try !topology.backend.qdiscs(in: topology.routerNamespace).contains { $0.contains("netem") || $0.contains("htb") })
        }
    }

    /// jitter is the distribution's standard deviation, for the normal table and for the pareto
    /// tables (whose own spread is below 1: the planner scales netem's jitter for them).
    @Test(arguments: [DelayDistribution.normal, .pareto, .paretonormal])
    func jitterOfTenMillisecondsHasThatStandardDeviation(distribution: DelayDistribution) throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let effect = try Self.link(topology, LinkFault(
                pairs: [], delay: .milliseconds(60), jitter: .milliseconds(10), distribution: distribution))
            defer { try? effect.heal() }
            try effect.apply()
            // The shape: the normal is symmetric, the pareto tables lean right (a long tail of
            // late packets, most packets a little early).
            func shaped(_ mean: Double, _ median: Double) -> Bool {
                distribution == .normal ? abs(mean - median) < 1 : mean - median > 1.5
            }
            let (count, sd, mean, median) = try Fidelity.measure({ () throws -> (Int, Double, Double, Double) in
                let delays = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7305, count: 2000, rate: 500).map(\.oneWay)
                let sd = Stats.standardDeviation(delays)
                let mean = delays.reduce(0, +) / Double(delays.count), median = Stats.median(delays)
                Fidelity.report("netem \(distribution) jitter", asked: "10 ms standard deviation around 60 ms",
                                measured: String(format: "sd %.2f ms, mean %.2f ms, median %.2f ms", sd, mean, median), bar: "sd ±2 ms")
                return (delays.count, sd, mean, median)
            }, accept: { abs($0.1 - 10) <= 2 && shaped($0.2, $0.3) })
            #expect(count == 2000)
            #expect(abs(sd - 10) <= 2, "\(distribution): standard deviation \(sd) ms")
            #expect(shaped(mean, median), "\(distribution): mean \(mean), median \(median)")
        }
    }

    /// Loss 10 % over 5000 packets: inside the 99 % binomial interval.
    @Test func lossIsBinomial() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let effect = try Self.link(topology, LinkFault(pairs: [], loss: .random(Percentage(percent: 10))))
            defer { try? effect.heal() }
            try effect.apply()
            let arrivals = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7306, count: 5000, rate: 2000, settle: 0.5)
            let lost = 5000 - Set(arrivals.map(\.sequence)).count
            // 500 ± 2.576 · √450.
            Fidelity.report("netem loss", asked: "10 % of 5000", measured: "\(lost) lost", bar: "446…554, the 99 % binomial interval")
            #expect((446...554).contains(lost), "lost \(lost) of 5000")
        }
    }

    /// Duplication and reordering as asked; netem corrupts a random byte of the whole packet
    /// (92 bytes here: 20 of IP header, 8 of UDP, 64 of payload), so only a flip in the 48
    /// checked payload bytes shows as a corrupted datagram, and a flip in the headers loses it.
    @Test func duplicationCorruptionAndReorderingShowAtTheReceiver() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let effect = try Self.link(topology, LinkFault(
                pairs: [], delay: .milliseconds(5), duplicate: Percentage(percent: 10), corrupt: Percentage(percent: 10),
                reorder: Reorder(percent: Percentage(percent: 20), gap: 1)))
            defer { try? effect.heal() }
            try effect.apply()
            let arrivals = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7307, count: 3000, rate: 1000)
            let duplicates = arrivals.count - Set(arrivals.map(\.sequence)).count
            let corrupted = arrivals.filter { !$0.intact }.count
            var highest = -1, overtaken = 0
            for a in arrivals { if a.sequence < highest { overtaken += 1 }; highest = max(highest, a.sequence) }
            Fidelity.report("netem duplicate/corrupt/reorder", asked: "10 % / 10 % / 20 % gap 1 of 3000",
                            measured: "\(duplicates) duplicates, \(corrupted) corrupted seen, \(overtaken) overtaken",
                            bar: "250…350, 120…195 (48 of 92 bytes checked), > 300")
            // 10 % of 3000 duplicated: 300 ± 3σ. Corrupted and seen: 3000 · 10 % · 48/92 ≈ 157 ± 3σ.
            #expect((250...350).contains(duplicates), "\(duplicates) duplicates")
            #expect((120...195).contains(corrupted), "\(corrupted) corrupted")
            #expect(overtaken > 300, "\(overtaken) arrivals behind a later sequence number")
        }
    }

    /// netem under a rate-capped class: both the delay and the cap hold for TCP.
    @Test func delayUnderARateCapGivesThatGoodput() throws {
        try TopologyFixture.withTopology(["a", "b"]) { topology in
            let effect = try Self.link(topology, LinkFault(pairs: [], delay: .milliseconds(5), rate: Bitrate(bitsPerSecond: 10_000_000)))
            defer { try? effect.heal() }
            try effect.apply()
            // A sender starved of CPU (the guest kernel is one host thread) falls short of the cap;
            // a wrong cap misses it every time.
            let goodput = try Fidelity.measure({ () throws -> Double in
                let goodput = try LinkTraffic.tcpGoodput(topology, from: "a", to: "b", port: 7308, bytes: 2_000_000)
                Fidelity.report("netem 5 ms under a rate cap", asked: "10 Mbit/s", measured: String(format: "%.2f Mbit/s TCP goodput", goodput / 1e6), bar: "±10 %")
                return goodput
            }, accept: { abs($0 - 10e6) <= 1e6 })
            #expect(abs(goodput - 10e6) <= 1e6, "goodput \(goodput / 1e6) Mbit/s")
        }
    }

    @Test func healLeavesNoQdisc() throws {
        try TopologyFixture.withTopology(["a", "b", "c"]) { topology in
            let effect = try Self.link(topology, LinkFault(
                pairs: [DirectedPair(from: "a", to: "b"), DirectedPair(from: "c", to: "b")], delay: .milliseconds(30)))
            try effect.apply()
            #expect(try topology.backend.qdiscs(in: topology.routerNamespace).contains { $0.contains("netem") })
            try effect.heal()
            try effect.heal()
            let after = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7310, count: 100, rate: 500)
            #expect(after.count == 100)
            #expect(Stats.median(after.map(\.oneWay)) < 5)
            #expect(try !topology.backend.qdiscs(in: topology.routerNamespace).contains { $0.contains("htb") || $0.contains("netem") })
        }
    }
}
