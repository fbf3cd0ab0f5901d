import Netlink
import ScenarioFormat
import Testbed

/// Compiles a ``LinkFault`` for a topology (pure; no root needed).
///
/// Faults act in the router on the way to the receiver, so TCP sees real loss on the wire:
/// - userspace: per pair, `iptables -A FORWARD -s A -d B [-p P [-m multiport --ports …]] -j NFQUEUE
///   --queue-num N --queue-bypass` in the router; the delay line reads queue N;
/// - netem: per pair, an HTB class on the receiver's router veth (`h<i>`), a netem leaf under it and
///   a u32 filter `src A dst B` sending the pair's packets there;
/// - `rate` (either engine): the pair's HTB class is capped at the rate.
/// The class minor, the leaf's major and the filter priority derive from the sender's position, so
/// faults on different senders to one receiver share its root without clashing.
public enum LinkPlanner {
    public static let rootHandle = TrafficControlHandle(1)
    /// The class rate when only netem is wanted: high enough never to shape.
    public static let unshapedBytesPerSecond: UInt64 = 10_000_000_000 / 8

    /// The engine a fault runs on, or an error naming what is missing.
    public static func engine(for link: LinkFault, deterministic: Bool, netemAvailable: Bool) throws -> LinkEngine {
        guard link.needsPacketEngine else { return .htb }
        let netemLacks = netemGaps(link)
        switch link.engine {
        case .userspace:
            return .userspace
        case .netem:
            guard netemAvailable else { throw FaultError(.engineUnavailable("netem is not in this kernel; use engine: userspace")) }
            if let gap = netemLacks.first { throw FaultError(.engineUnavailable("engine netem cannot do \(gap); use engine: userspace")) }
            return .netem
        case .auto:
            return deterministic || !netemAvailable || !netemLacks.isEmpty ? .userspace : .netem
        }
    }

    /// What this fault asks for that the kernel engine, as built here, cannot do.
    static func netemGaps(_ link: LinkFault) -> [String] {
        var gaps: [String] = []
        if case .gilbertElliott = link.loss { gaps.append("gilbert-elliott loss (libnl has no gemodel setter)") }
        if !link.ports.isEmpty { gaps.append("ports (its u32 filters match addresses only)") }
        if link.transport != nil { gaps.append("protocol (its u32 filters match addresses only)") }
        // netem correlates its 32-bit draws but picks the delay from their low bits (a modulo),
        // so successive delays come out uncorrelated: measured lag-1 autocorrelation 0.02 for 75 %.
        if link.correlation != nil, link.jitter != nil { gaps.append("correlated jitter (netem's correlation leaves successive delays uncorrelated)") }
        return gaps
    }

    /// Plans `link` on `topology` with `engine`; lanes take queue numbers from `firstQueue` on.
    public static func plan(_ link: LinkFault, engine: LinkEngine, topology: TopologyPlan, firstQueue: UInt16) throws -> LinkPlan {
        var lanes: [LinkLane] = []
        var roots: [Qdisc] = []
        var shaping: [ShapingChange] = []
        for (i, pair) in link.pairs.enumerated() {
            guard pair.from != pair.to else { throw FaultError(.selfCut(pair.from)) }
            let from = try topology.requireHost(pair.from)
            let to = try topology.requireHost(pair.to)
            let senderIndex = UInt16(topology.hosts.firstIndex { $0.host == pair.from }!)
            let queue = firstQueue &+ UInt16(i)
            lanes.append(LinkLane(
                pair: pair, source: from.address.prefix32, destination: to.address.prefix32, queue: queue,
                steering: engine == .userspace ? steering(link, from.address.prefix32, to.address.prefix32, queue) : []))

            guard engine == .netem || link.rate != nil else { continue }
            let device = to.routerInterface
            let root = Qdisc(device: device, handle: rootHandle, kind: .htb(defaultClass: 0))
            if !roots.contains(root) { roots.append(root) }
            let classID = TrafficControlHandle(rootHandle.major, senderIndex + 1)
            let rate = link.rate?.bytesPerSecond ?? unshapedBytesPerSecond
            shaping.append(.trafficClass(TrafficClass(device: device, parent: rootHandle, classID: classID, bytesPerSecond: rate)))
            if engine == .netem {
                shaping.append(.leaf(Qdisc(device: device, parent: classID, handle: TrafficControlHandle(0x100 + senderIndex), kind: .netem(netem(link)))))
            }
            shaping.append(.filter(U32Filter(device: device, parent: rootHandle, priority: senderIndex + 1,
                                             source: from.address.prefix32, destination: to.address.prefix32, flow: classID)))
        }
        return LinkPlan(engine: engine, fault: link, router: topology.routerNamespace, lanes: lanes, roots: roots, shaping: shaping)
    }

    /// The steering rules of one pair: one per protocol when ports are given without one.
    static func steering(_ link: LinkFault, _ source: IPv4Prefix, _ destination: IPv4Prefix, _ queue: UInt16) -> [IPTablesRule] {
        let protocols: [String?] = link.transport.map { [$0.rawValue] } ?? (link.ports.isEmpty ? [nil] : ["tcp", "udp"])
        return protocols.map {
            IPTablesRule(chain: "FORWARD", source: source, destination: destination, transport: $0, ports: link.ports, target: .queue(number: queue))
        }
    }

    /// netem's parameters for `link` (the limit covers 2 s of 100k pps at most).
    static func netem(_ link: LinkFault) -> Netem {
        var n = Netem()
        n.delayMicroseconds = UInt32(clamping: (link.delay?.nanoseconds ?? 0) / 1000)
        // A scenario's jitter is the distribution's standard deviation; netem's pareto tables
        // spread less than 1 jitter, so netem is given the jitter that makes that deviation.
        let spread = link.distribution == .uniform ? 1 : NetemDistribution.spread(of: link.distribution.rawValue)
        n.jitterMicroseconds = UInt32(clamping: Int64((Double(link.jitter?.nanoseconds ?? 0) / 1000 / spread).rounded()))
        n.delayCorrelation = link.correlation?.fraction ?? 0
        if link.jitter != nil, link.distribution != .uniform { n.distribution = link.distribution.rawValue }
        if case .random(let p) = link.loss { n.loss = p.fraction }
        n.duplicate = link.duplicate?.fraction ?? 0
        n.corrupt = link.corrupt?.fraction ?? 0
        if let r = link.reorder {
            n.reorder = r.percent.fraction
            n.gap = UInt32(r.gap)
        }
        let seconds = Double((link.delay ?? .zero).nanoseconds + (link.jitter ?? .zero).nanoseconds) / 1e9
        n.limit = UInt32(min(200_000, max(10_000, 2 * 100_000 * seconds)))
        return n
    }
}
