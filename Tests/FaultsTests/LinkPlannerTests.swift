import FaultlineCore
import Faults
import Netlink
import ScenarioFormat
import Testbed
import Testing

struct LinkPlannerTests {
    static let topology = try! TopologyPlan.make(runID: "t1", hosts: ["a", "b", "c"], network: .defaultTestbed)

    static func link(_ pairs: [(String, String)], _ body: (inout LinkFault) -> Void = { _ in }) -> LinkFault {
        var l = LinkFault(pairs: pairs.map { DirectedPair(from: $0.0, to: $0.1) }, delay: .milliseconds(50))
        body(&l)
        return l
    }

    @Test(arguments: [
        (LinkEngineChoice.auto, false, false, LinkEngine.netem),
        (.auto, true, false, .userspace),
        (.auto, false, true, .userspace),
        (.userspace, false, false, .userspace),
        (.netem, false, false, .netem),
    ])
    func engineChoice(choice: LinkEngineChoice, deterministic: Bool, gilbertElliott: Bool, expected: LinkEngine) throws {
        let l = Self.link([("a", "b")]) {
            $0.engine = choice
            if gilbertElliott { $0.loss = .gilbertElliott(GilbertElliott(p: Percentage(percent: 1), r: Percentage(percent: 30))) }
        }
        #expect(try LinkPlanner.engine(for: l, deterministic: deterministic, netemAvailable: true) == expected)
    }

    @Test func netemMissingStopsAnExplicitNetemFaultNamingWhatIsMissing() throws {
        let l = Self.link([("a", "b")]) { $0.engine = .netem }
        #expect(throws: FaultError(.engineUnavailable("netem is not in this kernel; use engine: userspace"))) {
            try LinkPlanner.engine(for: l, deterministic: false, netemAvailable: false)
        }
        #expect(try LinkPlanner.engine(for: Self.link([("a", "b")]), deterministic: false, netemAvailable: false) == .userspace)
    }

    /// netem's own correlation leaves delays uncorrelated (measured in the guest kernel), so a
    /// correlated jitter goes to the userspace engine, and `engine: netem` is refused naming why.
    @Test func correlatedJitterIsForTheUserspaceEngine() throws {
        let correlated = Self.link([("a", "b")]) {
            $0.jitter = .milliseconds(10)
            $0.correlation = Percentage(percent: 50)
        }
        #expect(try LinkPlanner.engine(for: correlated, deterministic: false, netemAvailable: true) == .userspace)
        var explicit = correlated
        explicit.engine = .netem
        #expect(throws: FaultError(.engineUnavailable(
            "engine netem cannot do correlated jitter (netem's correlation leaves successive delays uncorrelated); use engine: userspace"))) {
            try LinkPlanner.engine(for: explicit, deterministic: false, netemAvailable: true)
        }
    }

    /// The pareto tables spread less than 1 jitter; netem is given the jitter that makes the
    /// standard deviation asked for, and the constants match the tables installed here.
    @Test(arguments: [DelayDistribution.normal, .pareto, .paretonormal])
    func netemJitterIsScaledToTheTablesSpread(distribution: DelayDistribution) throws {
        let l = Self.link([("a", "b")]) {
            $0.jitter = .milliseconds(10)
            $0.distribution = distribution
        }
        let plan = try LinkPlanner.plan(l, engine: .netem, topology: Self.topology, firstQueue: 1)
        let leaf = plan.shaping.compactMap { if case .leaf(let q) = $0, case .netem(let n) = q.kind { n } else { nil } }
        let spread = NetemDistribution.spread(of: distribution.rawValue)
        #expect(leaf.map(\.jitterMicroseconds) == [UInt32((10_000 / spread).rounded())])
        if let table = NetemDistribution.path(of: distribution.rawValue) {
            let measured = try #require(NetemDistribution.measuredSpread(ofTableAt: table))
            #expect(abs(measured - spread) < 0.002, "\(table): spread \(measured)")
        }
    }

    @Test func rateAloneNeedsNoPacketEngine() throws {
        let l = LinkFault(pairs: [DirectedPair(from: "a", to: "b")], rate: Bitrate(bitsPerSecond: 2_000_000))
        #expect(try LinkPlanner.engine(for: l, deterministic: true, netemAvailable: false) == .htb)
    }

    @Test func userspaceSteersEachPairToItsOwnQueueWithPortsOnBothProtocols() throws {
        let l = Self.link([("a", "b"), ("c", "b")]) { $0.ports = [8500, 8501] }
        let plan = try LinkPlanner.plan(l, engine: .userspace, topology: Self.topology, firstQueue: 300)
        #expect(plan.lanes.map(\.queue) == [300, 301])
        #expect(plan.shaping.isEmpty && plan.roots.isEmpty)
        #expect(plan.lanes[0].steering.map { $0.arguments($0.addVerb).joined(separator: " ") } == [
            "-w -A FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -p tcp -m multiport --ports 8500,8501 -j NFQUEUE --queue-num 300 --queue-bypass",
            "-w -A FORWARD -s 198.18.0.2/32 -d 198.18.0.3/32 -p udp -m multiport --ports 8500,8501 -j NFQUEUE --queue-num 300 --queue-bypass",
        ])
    }

    /// The kernel engine's trace: a shared HTB root, then per pair a class, a netem leaf and a u32 filter;
    /// heal undoes it in reverse.
    @Test func netemPlanAppliesAndHealsInOrderThroughTheBackend() throws {
        let l = Self.link([("a", "b"), ("c", "b")]) {
            $0.jitter = .milliseconds(10)
            $0.distribution = .normal
            $0.loss = .random(Percentage(percent: 1))
            $0.rate = Bitrate(bitsPerSecond: 2_000_000)
        }
        let recorder = RecordingBackend()
        let effect = try FaultEngine.make(.link(l), name: "slow", plan: Self.topology, backend: recorder,
                                          netfilter: RecordingNetfilter(into: recorder), packets: RecordingPacketEngine(into: recorder),
                                          environment: FaultEnvironment(netemAvailable: true))
        #expect(effect.engine == .link(.netem))
        try effect.apply()
        try effect.heal()
        let ns = "fl-t1-router"
        #expect(recorder.trace == [
            "tc -n \(ns) qdisc add dev h1 root handle 1: htb default 0",
            "tc -n \(ns) class add dev h1 parent 1: classid 1:1 htb rate 2000000bit ceil 2000000bit",
            "tc -n \(ns) qdisc add dev h1 parent 1:1 handle 100: netem limit 12000 delay 50000us 10000us distribution normal loss random 1%",
            "tc -n \(ns) filter add dev h1 parent 1: protocol ip prio 1 u32 match ip src 198.18.0.2/32 match ip dst 198.18.0.3/32 flowid 1:1",
            "tc -n \(ns) class add dev h1 parent 1: classid 1:3 htb rate 2000000bit ceil 2000000bit",
            "tc -n \(ns) qdisc add dev h1 parent 1:3 handle 102: netem limit 12000 delay 50000us 10000us distribution normal loss random 1%",
            "tc -n \(ns) filter add dev h1 parent 1: protocol ip prio 3 u32 match ip src 198.18.0.4/32 match ip dst 198.18.0.3/32 flowid 1:3",
            "delay line stop",
            "tc -n \(ns) filter del dev h1 parent 1: protocol ip prio 3",
            "tc -n \(ns) qdisc del dev h1 parent 1:3 handle 102:",
            "tc -n \(ns) class del dev h1 classid 1:3",
            "tc -n \(ns) filter del dev h1 parent 1: protocol ip prio 1",
            "tc -n \(ns) qdisc del dev h1 parent 1:1 handle 100:",
            "tc -n \(ns) class del dev h1 classid 1:1",
            "tc -n \(ns) qdisc del dev h1 root handle 1:",
        ])
    }

    /// No quiet stand-in: without a packet engine the userspace engine refuses to be made.
    @Test func aUserspaceLinkFaultWithoutAPacketEngineIsAnError() {
        let recorder = RecordingBackend()
        #expect(throws: FaultError(.noPacketEngine)) {
            try FaultEngine.make(.link(Self.link([("a", "b")]) { $0.engine = .userspace }), plan: Self.topology,
                                 backend: recorder, netfilter: RecordingNetfilter(into: recorder))
        }
        #expect(recorder.trace.isEmpty)
    }

    @Test(arguments: [LinkEngineChoice.netem, .userspace])
    func healingALinkFaultNeverAppliedIsHarmless(engine: LinkEngineChoice) throws {
        let recorder = RecordingBackend()
        let effect = try FaultEngine.make(.link(Self.link([("a", "b")]) { $0.engine = engine; $0.rate = Bitrate(bitsPerSecond: 8000) }),
                                          plan: Self.topology, backend: recorder, netfilter: RecordingNetfilter(into: recorder),
                                          packets: RecordingPacketEngine(into: recorder), environment: FaultEnvironment(netemAvailable: true))
        try effect.heal()
        try effect.heal()
        #expect(!recorder.trace.contains { $0.contains(" add ") || $0.contains(" -A ") || $0.contains("start") })
    }

    @Test func aFailedStepUndoesTheStepsBefore() throws {
        let recorder = RecordingBackend(failing: "filter add")
        let effect = try FaultEngine.make(.link(Self.link([("a", "b")]) { $0.engine = .userspace; $0.rate = Bitrate(bitsPerSecond: 8000) }),
                                          plan: Self.topology, backend: recorder, netfilter: RecordingNetfilter(into: recorder),
                                          packets: RecordingPacketEngine(into: recorder))
        #expect(throws: NetlinkError.self) { try effect.apply() }
        #expect(recorder.trace.first?.hasPrefix("delay line start") == true)
        #expect(recorder.trace.last == "tc -n fl-t1-router qdisc del dev h1 root handle 1:")
        #expect(!recorder.trace.contains { $0.contains("iptables") && $0.contains("-A") })
    }

    /// Two faults toward one receiver in one run share its root qdisc: the first adds it, the last
    /// heal removes it. Another run's environment keeps its own count though the namespace is named alike.
    @Test func faultsOfOneRunShareTheRootAndAnotherRunCountsApart() throws {
        let recorder = RecordingBackend()
        let run = FaultEnvironment(netemAvailable: true)
        func effect(_ from: String, _ environment: FaultEnvironment) throws -> any FaultEffect {
            try FaultEngine.make(.link(Self.link([(from, "b")]) { $0.engine = .netem }), plan: Self.topology, backend: recorder,
                                 netfilter: RecordingNetfilter(into: recorder), environment: environment)
        }
        let roots = { recorder.trace.filter { $0.contains("root handle 1:") } }
        let first = try effect("a", run), second = try effect("c", run)
        try first.apply()
        try second.apply()
        #expect(roots() == ["tc -n fl-t1-router qdisc add dev h1 root handle 1: htb default 0"])
        try first.heal()
        #expect(roots().count == 1)
        let other = try effect("a", FaultEnvironment(netemAvailable: true))
        try other.apply()
        try other.heal()
        try second.heal()
        #expect(roots() == [
            "tc -n fl-t1-router qdisc add dev h1 root handle 1: htb default 0",
            "tc -n fl-t1-router qdisc add dev h1 root handle 1: htb default 0",
            "tc -n fl-t1-router qdisc del dev h1 root handle 1:",
            "tc -n fl-t1-router qdisc del dev h1 root handle 1:",
        ])
    }
}
