// The whole bench's first sections: the testbed's network setup and partition toggles through
// libnl, against the same changes made by spawning `ip` (the one place that spawns `ip`: as the
// reference).
import Faults
import Foundation
import Glibc
import LinuxSystem
import Netlink
import ScenarioFormat
import Testbed
import Synchronization

let clock = ContinuousClock()

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
}

func microseconds(_ d: Duration) -> Double { milliseconds(d) * 1e3 }

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    let i = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
    return sorted[i]
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func format(_ v: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", v) }

struct BenchError: Error, CustomStringConvertible {
    var description: String
}

/// Removes every namespace a bench run may have left.
func removeBenchNamespaces(_ prefix: String) {
    for ns in NetworkNamespace.list(prefix: prefix) { try? ns.delete() }
}

/// Times the netlink calls a build makes, to tell them apart from namespace and thread creation.
final class TimingBackend: RouteNetlink, Sendable {
    let inner: any RouteNetlink
    private let timings = Mutex<Timings>(Timings())
    init(_ inner: any RouteNetlink) { self.inner = inner }

    private struct Timings {
        var netlinkTime: Duration = .zero
        var attachTime: Duration = .zero
        var byOperation: [String: (count: Int, time: Duration)] = [:]
    }

    var netlinkTime: Duration { timings.withLock { $0.netlinkTime } }
    var attachTime: Duration { timings.withLock { $0.attachTime } }
    var byOperation: [String: (count: Int, time: Duration)] { timings.withLock { $0.byOperation } }

    private func timed<T>(_ operation: String = #function, _ body: () throws -> T) rethrows -> T {
        let start = clock.now
        defer {
            let d = clock.now - start
            let key = String(operation.prefix { $0 != "(" })
            timings.withLock { timings in
                timings.netlinkTime += d
                timings.byOperation[key, default: (0, .zero)].count += 1
                timings.byOperation[key, default: (0, .zero)].time += d
            }
        }
        return try body()
    }

    func attach(_ thread: NamespaceThread) throws {
        let start = clock.now
        defer {
            let d = clock.now - start
            timings.withLock { $0.attachTime += d }
        }
        try inner.attach(thread)
    }
    func detach(_ namespace: NetworkNamespace) { inner.detach(namespace) }
    func addVethPair(_ pair: VethPair, in ns: NetworkNamespace) throws { try timed { try inner.addVethPair(pair, in: ns) } }
    func setLinkUp(_ device: String, in ns: NetworkNamespace) throws { try timed { try inner.setLinkUp(device, in: ns) } }
    func interfaceIndex(of device: String, in ns: NetworkNamespace) throws -> Int32 { try timed { try inner.interfaceIndex(of: device, in: ns) } }
    func addAddress(_ address: InterfaceAddress, in ns: NetworkNamespace) throws { try timed { try inner.addAddress(address, in: ns) } }
    func addRoute(_ route: Route, in ns: NetworkNamespace) throws { try timed { try inner.addRoute(route, in: ns) } }
    func deleteRoute(_ route: Route, in ns: NetworkNamespace) throws { try timed { try inner.deleteRoute(route, in: ns) } }
    func addRule(_ rule: FIBRule, in ns: NetworkNamespace) throws { try timed { try inner.addRule(rule, in: ns) } }
    func deleteRule(_ rule: FIBRule, in ns: NetworkNamespace) throws { try timed { try inner.deleteRule(rule, in: ns) } }
    func rules(in ns: NetworkNamespace) throws -> [String] { try inner.rules(in: ns) }
    func setSysctl(_ key: String, to value: String, in ns: NetworkNamespace) throws { try timed { try inner.setSysctl(key, to: value, in: ns) } }
    func addQdisc(_ q: Qdisc, in ns: NetworkNamespace) throws { try timed { try inner.addQdisc(q, in: ns) } }
    func deleteQdisc(_ q: Qdisc, in ns: NetworkNamespace) throws { try timed { try inner.deleteQdisc(q, in: ns) } }
    func addTrafficClass(_ c: TrafficClass, in ns: NetworkNamespace) throws { try timed { try inner.addTrafficClass(c, in: ns) } }
    func deleteTrafficClass(_ c: TrafficClass, in ns: NetworkNamespace) throws { try timed { try inner.deleteTrafficClass(c, in: ns) } }
    func addFilter(_ f: U32Filter, in ns: NetworkNamespace) throws { try timed { try inner.addFilter(f, in: ns) } }
    func deleteFilter(_ f: U32Filter, in ns: NetworkNamespace) throws { try timed { try inner.deleteFilter(f, in: ns) } }
    func qdiscs(in ns: NetworkNamespace) throws -> [String] { try inner.qdiscs(in: ns) }
}

let ipPath = ExternalCommand.locate("ip")

func ip(_ arguments: [String]) throws {
    guard let ipPath else { throw BenchError(description: "ip not found (Debian package iproute2)") }
    let outcome = try ExternalCommand.run(ipPath, arguments)
    guard outcome.succeeded else {
        throw BenchError(description: "ip \(arguments.joined(separator: " ")) failed (\(outcome.status)): \(outcome.standardError)")
    }
}

func ipBatch(_ namespace: String?, _ lines: [String]) throws {
    let file = "/tmp/faultline-bench-\(getpid()).batch"
    try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: false, encoding: .utf8)
    defer { unlink(file) }
    try ip((namespace.map { ["-n", $0] } ?? []) + ["-batch", file])
}

func hostNames(_ n: Int) -> [String] { (0..<n).map { "h\($0)" } }

// MARK: Setup

struct SetupFigures {
    var total: Duration
    var netlink: Duration?
}

/// One libnl build and teardown of `plan`, with the netlink calls' share and their breakdown by operation.
func buildWithLibNL(_ plan: TopologyPlan) throws -> (SetupFigures, Duration, breakdown: [String: (count: Int, time: Duration)]) {
    let backend = TimingBackend(LibNLBackend())
    let registration = try BenchTestbed.register(plan)
    defer { BenchTestbed.release(registration) }
    let start = clock.now
    let topology = try Topology.build(plan, backend: backend)
    let built = clock.now - start
    let teardownStart = clock.now
    try topology.teardown()
    return (SetupFigures(total: built, netlink: backend.netlinkTime), clock.now - teardownStart, backend.byOperation)
}

func buildWithIP(_ plan: TopologyPlan) throws -> Duration {
    let registration = try BenchTestbed.register(plan)
    defer { BenchTestbed.release(registration) }
    let start = clock.now
    for step in plan.steps { try ip(step.ipArguments) }
    return clock.now - start
}

/// The same topology with `ip -batch`: one spawn for the namespaces, one per namespace for its
/// changes (router veths first, as hosts need their eth0), plus the sysctl.
func buildWithIPBatch(_ plan: TopologyPlan) throws -> Duration {
    let registration = try BenchTestbed.register(plan)
    defer { BenchTestbed.release(registration) }
    let start = clock.now
    let router = plan.routerNamespace.name
    let commands = plan.steps.map { $0.ipArguments }
    try ipBatch(nil, plan.steps.compactMap { step -> String? in
        if case .createNamespace = step { return step.ipArguments.joined(separator: " ") }
        return nil
    })
    func inNamespace(_ ns: String, _ filter: (TopologyStep) -> Bool) -> [String] {
        plan.steps.filter { $0.namespace.name == ns && filter($0) }.map { $0.ipArguments.dropFirst(2).joined(separator: " ") }
    }
    _ = commands
    try ipBatch(router, inNamespace(router) { step in
        switch step {
        case .linkUp, .veth: true
        case .createNamespace, .address, .route, .sysctl: false
        }
    })
    for host in plan.hosts {
        try ipBatch(host.namespace.name, inNamespace(host.namespace.name) { step in
            if case .createNamespace = step { return false }
            return true
        })
    }
    try ipBatch(router, inNamespace(router) { step in
        switch step {
        case .address, .route: true
        case .createNamespace, .linkUp, .veth, .sysctl: false
        }
    })
    for step in plan.routerSteps { if case .sysctl = step { try ip(step.ipArguments) } }
    return clock.now - start
}

// MARK: Partition toggles

func toggleTimes(_ count: Int, _ body: () throws -> Void) rethrows -> [Double] {
    var times: [Double] = []
    times.reserveCapacity(count)
    for _ in 0..<count {
        let start = clock.now
        try body()
        times.append(microseconds(clock.now - start))
    }
    return times
}

func summary(_ label: String, _ times: [Double]) -> String {
    "\(pad(label, 52)) median \(pad(format(percentile(times, 0.5), 1) + " µs", 12)) p99 \(format(percentile(times, 0.99), 1)) µs  (n=\(times.count))"
}

// MARK: Run

/// Every section in turn: setup, partition toggles, observer, services, validate, link.
func benchEverything(runTag: String, binary: String) throws {
    print("faultline-bench — \(ProcessInfo.processInfo.activeProcessorCount) cores, kernel \(ProcessInfo.processInfo.operatingSystemVersionString)")
    print("")
    print("Testbed network setup (namespaces, veths, addresses, routes, lo up, ip_forward), per host:")
    var setupRows: [(Int, Double, Double, Double, Double?, Double?)] = []
    var lastBreakdown: [String: (count: Int, time: Duration)] = [:]
    for n in [10, 100] {
        var libnl: [Double] = [], netlinkOnly: [Double] = [], teardown: [Double] = []
        let rounds = n == 10 ? 5 : 3
        for round in 0..<rounds {
            let plan = try TopologyPlan.make(runID: "\(runTag)-l\(n)r\(round)", hosts: hostNames(n), network: .defaultTestbed)
            let (figures, down, breakdown) = try buildWithLibNL(plan)
            lastBreakdown = breakdown
            libnl.append(milliseconds(figures.total) / Double(n))
            netlinkOnly.append(milliseconds(figures.netlink ?? .zero) / Double(n))
            teardown.append(milliseconds(down) / Double(n))
        }
        var spawned: Double?
        var batch: Double?
        if ipPath != nil {
            let plan = try TopologyPlan.make(runID: "\(runTag)-i\(n)", hosts: hostNames(n), network: .defaultTestbed)
            spawned = milliseconds(try buildWithIP(plan)) / Double(n)
            let batchPlan = try TopologyPlan.make(runID: "\(runTag)-b\(n)", hosts: hostNames(n), network: .defaultTestbed)
            batch = milliseconds(try buildWithIPBatch(batchPlan)) / Double(n)
        }
        setupRows.append((n, percentile(libnl, 0.5), percentile(netlinkOnly, 0.5), percentile(teardown, 0.5), spawned, batch))
    }
    print("  'libnl build' is the whole Topology.build: namespaces (created in parallel), threads, sockets and")
    print("  the netlink calls; 'netlink calls' is the links/addresses/routes/sysctl part alone (serial).")
    print("  hosts | libnl build | of which netlink calls | teardown | spawning ip | ip -batch | ip ÷ libnl")
    for (n, total, netlink, down, spawned, batch) in setupRows {
        let ratio = spawned.map { format($0 / total, 1) + "×" } ?? "-"
        print("  \(pad(String(n), 5)) | \(pad(format(total) + " ms", 11)) | \(pad(format(netlink) + " ms", 22)) | \(pad(format(down) + " ms", 8)) | \(pad(spawned.map { format($0) + " ms" } ?? "-", 11)) | \(pad(batch.map { format($0) + " ms" } ?? "-", 9)) | \(ratio)")
    }
    print("  (medians over 5 builds of 10 hosts and 3 of 100; ip figures are one build each)")
    print("  netlink calls in the last libnl build, mean each: " + lastBreakdown.sorted { $0.key < $1.key }.map {
        "\($0.key) \(format(microseconds($0.value.time) / Double($0.value.count), 0)) µs"
    }.joined(separator: ", "))
    // Where the rest goes: namespaces and their threads.
    var createTimes: [Double] = [], threadTimes: [Double] = [], deleteTimes: [Double] = []
    for i in 0..<20 {
        let start = clock.now
        let ns = try NetworkNamespace.create("fl-\(runTag)-ns\(i)")
        let created = clock.now
        let thread = try NamespaceThread(ns)
        threadTimes.append(microseconds(clock.now - created))
        createTimes.append(microseconds(created - start))
        thread.stop()
        let deleting = clock.now
        try ns.delete()
        deleteTimes.append(microseconds(clock.now - deleting))
    }
    print("  per namespace, median of 20: create (unshare + bind mount) \(format(percentile(createTimes, 0.5), 0)) µs, NamespaceThread start \(format(percentile(threadTimes, 0.5), 0)) µs, delete \(format(percentile(deleteTimes, 0.5), 0)) µs")
    print("")

    try benchPartitions(runTag: runTag)
    print("")
    try benchObserver(runTag: runTag)
    try benchServices(runTag: runTag)
    print("")
    benchValidate(scenarioFolder: "scenarios", binary: binary)
    try LinkBench.run(runTag: runTag)
    let leftovers = NetworkNamespace.list(prefix: "fl-\(runTag)")
    print("")
    print("Namespaces left behind: \(leftovers.isEmpty ? "none" : leftovers.map(\.name).joined(separator: ", "))")
}

/// Partition toggles (apply + heal) of each mode: drop through libnl against spawning `ip`, reject
/// and reset through nf_tables against spawning `iptables`.
func benchPartitions(runTag: String) throws {
    print("Partition toggle (apply + heal), one directed cut between two hosts:")
    let plan = try TopologyPlan.make(runID: "\(runTag)-p", hosts: ["a", "b"], network: .defaultTestbed)
    let registration = try BenchTestbed.register(plan)
    defer { BenchTestbed.release(registration) }
    let topology = try Topology.build(plan)
    defer { try? topology.teardown() }
    func effect(_ mode: PartitionMode) throws -> any FaultEffect {
        try FaultEngine.make(fault: Fault(name: "cut", at: .zero, kind: .partition(Partition(cuts: [DirectedPair(from: "a", to: "b")], mode: mode))), topology: topology)
    }
    let drop = try effect(.drop)
    for _ in 0..<20 { try drop.apply(); try drop.heal() }  // warm up
    let libnlDrop = try toggleTimes(200) { try drop.apply(); try drop.heal() }
    print("  " + summary("drop   (FIB rule in router) via libnl", libnlDrop))
    if ipPath != nil {
        let router = plan.routerNamespace.name
        let rule = "from \(plan.hosts[0].address)/32 to \(plan.hosts[1].address)/32 blackhole priority 100"
        let words = rule.split(separator: " ").map(String.init)
        let ipDrop = try toggleTimes(200) {
            try ip(["-n", router, "rule", "add"] + words)
            try ip(["-n", router, "rule", "del"] + words)
        }
        print("  " + summary("drop   via spawning `ip -n NS rule add/del`", ipDrop))
        let ratio = percentile(ipDrop, 0.5) / percentile(libnlDrop, 0.5)
        let ratio99 = percentile(ipDrop, 0.99) / percentile(libnlDrop, 0.99)
        print("  ratio spawning ip ÷ libnl: \(format(ratio, 0))× at the median, \(format(ratio99, 0))× at p99 (goal ≥ 100×)")
    }
    // reject and reset are netfilter rules: through nf_tables in-process (libnftnl) where the
    // kernel's nf_tables has IPv4, against the same rules by spawning iptables, in the same run.
    func spawned(_ mode: PartitionMode) throws -> any FaultEffect {
        try FaultEngine.make(
            .partition(Partition(cuts: [DirectedPair(from: "a", to: "b")], mode: mode)), name: "cut", plan: topology.plan,
            backend: topology.backend, netfilter: SpawningIPTables(topology: topology))
    }
    let nft = NetfilterChoice.nftablesProblem(on: topology.routerThread) == nil
    for mode in [PartitionMode.reject, .reset] {
        let rules = mode == .reject ? "1 rule" : "2 rules"
        var inProcess: [Double] = []
        if nft {
            let effect = try effect(mode)
            for _ in 0..<20 { try effect.apply(); try effect.heal() }  // warm up
            inProcess = try toggleTimes(200) { try effect.apply(); try effect.heal() }
            print("  " + summary("\(mode.rawValue) (\(rules)) via nf_tables (libnftnl)", inProcess))
        } else {
            print("  \(mode.rawValue) via nf_tables: skipped (\(NetfilterChoice.nftablesProblem(on: topology.routerThread) ?? ""))")
        }
        guard ExternalCommand.locate("iptables") != nil else {
            print("  \(mode.rawValue) via spawning iptables: skipped (iptables not installed; Debian package iptables)")
            continue
        }
        let effect = try spawned(mode)
        let times = try toggleTimes(20) { try effect.apply(); try effect.heal() }
        print("  " + summary("\(mode.rawValue) (\(rules)) via spawning iptables", times))
        if !inProcess.isEmpty {
            let ratio = percentile(times, 0.5) / percentile(inProcess, 0.5)
            let ratio99 = percentile(times, 0.99) / percentile(inProcess, 0.99)
            print("  ratio spawning iptables ÷ nf_tables: \(format(ratio, 0))× at the median, \(format(ratio99, 0))× at p99 (goal ≥ 100×)")
        }
    }
    try topology.teardown()
}
