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
            let baseline = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7301, count: 200, rate: 500)
            let effect = try Self.link(topology, LinkFault(pairs: [], delay: .milliseconds(50)))
            defer { try? effect.heal() }
            try effect.apply()
            let delayed = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7301, count: 400, rate: 500)
            #expect(delayed.count == 400)
            let added = Stats.median(delayed.map(\.oneWay)) - Stats.median(baseline.map(\.oneWay))
            #expect(abs(added - 50) <= 1, "median added delay \(added) ms")
        }
    }

    @Test func netemDelaysOnlyTheNamedPair() throws {
        try TopologyFixture.withTopology(["a", "b", "c"]) { topology in
            let effect = try Self.link(topology, LinkFault(pairs: [DirectedPair(from: "a", to: "b")], delay: .milliseconds(50)))
            defer { try? effect.heal() }
            try effect.apply()
            let slow = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7302, count: 200, rate: 500)
            let other = try LinkTraffic.udp(topology, from: "c", to: "b", port: 7303, count: 200, rate: 500)
            let back = try LinkTraffic.udp(topology, from: "b", to: "a", port: 7304, count: 200, rate: 500)
            #expect(abs(Stats.median(slow.map(\.oneWay)) - 50) <= 1.5)
            #expect(Stats.median(other.map(\.oneWay)) < 5)
            #expect(Stats.median(back.map(\.oneWay)) < 5, "the other direction is untouched")
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
            let arrivals = try LinkTraffic.udp(topology, from: "a", to: "b", port: 7305, count: 2000, rate: 500)
            #expect(arrivals.count == 2000)
            let delays = arrivals.map(\.oneWay)
            let sd = Stats.standardDeviation(delays)
            #expect(abs(sd - 10) <= 2, "\(distribution): standard deviation \(sd) ms")
            // The shape: the normal is symmetric, the pareto tables lean right (a long tail of
            // late packets, most packets a little early).
            let mean = delays.reduce(0, +) / Double(delays.count), median = Stats.median(delays)
            switch distribution {
            case .normal: #expect(abs(mean - median) < 1, "mean \(mean), median \(median)")
            default: #expect(mean - median > 1.5, "\(distribution): mean \(mean), median \(median)")
            }
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
            let goodput = try LinkTraffic.tcpGoodput(topology, from: "a", to: "b", port: 7308, bytes: 2_000_000)
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
