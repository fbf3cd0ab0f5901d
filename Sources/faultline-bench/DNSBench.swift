// `faultline-bench dns`: dnsperf against Faultline's DNS server and against dnsmasq, same names,
// same machine, same run. Both serve from loopback of one testbed namespace (dnsperf runs
// there too); Faultline's server is also measured where runs put it, across the router's veth.
import DNS
import FaultlineCore
import Foundation
import Glibc
import LinuxSystem
import Netlink
import RunHistory
import ScenarioFormat
import Testbed
import Synchronization

/// One dnsperf run's figures.
struct DNSPerfResult {
    var qps: Double
    var averageLatency: Double
    /// dnsperf's `Latency StdDev`, and its largest latency.
    var latencyDeviation: Double
    var maxLatency: Double
    var lost: String
    /// The share of the machine's CPU time the hypervisor gave to others while it ran (`steal` in
    /// /proc/stat): on a shared host the one figure that tells a quiet run from a disturbed one.
    var steal: Double = 0
    /// Faultline's own mean time per query, receipt to reply sent, from its history (nil for others).
    var serverTime: Double?
}

/// One server's figures in one round (or the medians of several).
struct Figures {
    /// Max qps, dnsperf on its own CPU.
    var max: DNSPerfResult
    /// At 50k qps, dnsperf on its own CPU.
    var split: DNSPerfResult
    /// At ``DNSBench/colocatedRate``, dnsperf on the server's CPU; nil when the run is not pinned.
    var colocated: DNSPerfResult?

    /// The largest share of CPU time the host stole during any of the three.
    var steal: Double { Swift.max(max.steal, split.steal, colocated?.steal ?? 0) }

    static func median(_ rounds: [Figures]) -> Figures {
        let colocated = rounds.compactMap(\.colocated)
        return Figures(max: DNSBench.median(rounds.map(\.max)), split: DNSBench.median(rounds.map(\.split)),
                       colocated: colocated.isEmpty ? nil : DNSBench.median(colocated))
    }
}

enum DNSBench {
    static let names = ["api", "client", "consul.service.consul", "alias.service.consul"]

    /// The CPUs a pinned run uses: dnsperf on the first, the server under test on the second.
    struct Placement {
        var load: Int32
        var server: Int32
    }

    static func run() throws {
        guard let dnsperf = ExternalCommand.locate("dnsperf") else {
            throw BenchError(description: "dnsperf is not installed (Debian package dnsperf; scripts/setup.sh installs it)")
        }
        let dnsmasq = ExternalCommand.locate("dnsmasq")
        let chrt = ExternalCommand.locate("chrt")
        let taskset = ExternalCommand.locate("taskset")
        let ownCPUs = CPUAffinity.of(getpid()) ?? []
        // Client and server on cores of their own, for every server alike: on a 2-core machine they
        // otherwise share both, and a figure then measures the scheduler as much as the server.
        let placement = taskset != nil && ownCPUs.count >= 2 ? Placement(load: ownCPUs[0], server: ownCPUs[1]) : nil
        if let placement {
            try CPUAffinity.restrictProcess(getpid(), to: [placement.server])
        }
        defer { if placement != nil { try? CPUAffinity.restrictProcess(getpid(), to: ownCPUs) } }

        try DNSBenchWorld.with { try measure($0, dnsperf: dnsperf, dnsmasq: dnsmasq, chrt: chrt, taskset: taskset, placement: placement) }
    }

    static func measure(
        _ world: DNSBenchWorld, dnsperf: String, dnsmasq: String?, chrt: String?, taskset: String?, placement: Placement?
    ) throws {
        let (plan, topology, work, hosts, history, client, responder) =
            (world.plan, world.topology, world.work, world.hosts, world.history, world.client, world.responder)
        let queries = names.map { "\($0) A" }.joined(separator: "\n") + "\n"
        try queries.write(toFile: work + "/queries", atomically: true, encoding: .utf8)
        let loopback = IPv4Address(parsing: "127.0.0.1")!

        /// - Parameter colocated: dnsperf on the server's CPU rather than its own (with a rate only).
        func perf(_ server: IPv4Address, port: UInt16, rate: Int?, colocated: Bool = false) throws -> DNSPerfResult {
            var args = [dnsperf, "-s", server.description, "-p", String(port), "-d", work + "/queries", "-l", "5", "-q", "200"]
            if let rate { args += ["-Q", String(rate)] }
            // At a fixed rate dnsperf runs at a low real-time priority (for every server alike), so
            // its latency figure is the server's and not the scheduling of dnsperf's own threads
            // behind other work on a shared machine. Round-robin, not FIFO: pinned to one CPU, a
            // dnsperf thread waiting in a busy loop at FIFO never lets its sibling run, and the
            // run never ends (seen here once in about forty runs).
            if rate != nil, let chrt { args = [chrt, "-r", "2"] + args }
            if let placement, let taskset { args = [taskset, "-c", String(colocated ? placement.server : placement.load)] + args }
            // Each figure starts from a steady state: the history written out, not still catching up
            // with the last full-speed run's million events next to the server being measured.
            history.flush()
            let steal = StealMeter()
            let recorded = world.serverTime.reading
            let child = try client.run { try Spawn.start(args, env: ["PATH": "/usr/bin:/bin"]) }
            // A 5 s run that is not over in a minute never will be: end it (our own child, by pid).
            let watchdog = DispatchWorkItem { kill(child.pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
            let (stdout, stderr) = Spawn.readToEnd(child)
            watchdog.cancel()
            let output = String(decoding: stdout + stderr, as: UTF8.self)
            let status = Spawn.wait(child.pid)
            // Killed because the bench is being interrupted (its handler ends every process in the
            // testbed)? Then wait here for the handler to finish and end the process.
            if status == .signaled(SIGKILL) { BenchTestbed.waitIfInterrupted() }
            guard status != .signaled(SIGKILL) else {
                throw BenchError(description: "dnsperf (\(args.joined(separator: " "))) was still running after 60 s and was ended")
            }
            var result = try parse(output)
            result.steal = steal.share()
            let serverTime = world.serverTime.mean(since: recorded)
            result.serverTime = serverTime.isNaN ? nil : serverTime
            return result
        }

        print("DNS: dnsperf (1 client, ≤ 200 outstanding, 5 s per figure) on \(names.count) names; history recording on; "
            + (chrt == nil ? "chrt missing: dnsperf at normal priority throughout" : "dnsperf at SCHED_RR 2 for the -Q 50000 runs"))
        if let placement {
            print("  dnsperf pinned to CPU \(placement.load); the server under test (every thread of it) to CPU \(placement.server); "
                + "every server's answering thread at SCHED_FIFO \(DNSServer.udpRealtimePriority)")
        } else {
            print("  not pinned (\(taskset == nil ? "taskset missing" : "fewer than 2 CPUs")): client and servers share the CPUs")
        }
        // dnsmasq next to Faultline in the same namespace (port 5353), so the two can be measured
        // in alternation: on a shared machine the load from other work drifts over a minute. It gets
        // what Faultline's answering thread has: the server's CPU and SCHED_FIFO at the same priority.
        var dnsmasqPID: pid_t?
        if let dnsmasq {
            let hostsFile = work + "/hosts"
            let lines = hosts.map { "\($0.value) \($0.key)" } + ["\(hosts["api"]!) consul.service.consul alias.service.consul"]
            try (lines.joined(separator: "\n") + "\n").write(toFile: hostsFile, atomically: true, encoding: .utf8)
            var args = [dnsmasq, "-k", "--port=5353", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                        "--no-hosts", "--addn-hosts=\(hostsFile)", "--pid-file=", "--user=root", "--log-facility=\(work)/dnsmasq.log"]
            if let chrt { args = [chrt, "-f", String(DNSServer.udpRealtimePriority)] + args }
            dnsmasqPID = try client.run { try Spawn.start(args, env: ["PATH": "/usr/bin:/bin"], capture: false) }.pid
            usleep(300_000)
        } else {
            print("  dnsmasq: skipped (not installed; Debian package dnsmasq-base)")
        }
        defer {
            if let dnsmasqPID {
                kill(dnsmasqPID, SIGTERM)
                _ = Spawn.wait(dnsmasqPID)
            }
        }
        // The floor: a thread that turns each query round with one recvfrom and one sendto and no
        // DNS work at all. No server answering one datagram per system call does better here.
        let reflector = try Reflector.start(on: client, port: 5300)
        defer { reflector.stop() }
        let local = try DNSServer.start(responder: responder, on: client, addresses: [loopback], port: 53, hosts: hosts, history: history)
        // Rounds of Faultline, dnsmasq and the reflector in turn; each figure is the median of its rounds.
        /// One server's figures: max qps (dnsperf on its own CPU), avg latency at 50k qps with
        /// dnsperf on its own CPU, and avg latency with dnsperf on the server's CPU (co-located, as a
        /// client under test and its DNS server share a small machine: no cross-CPU wake-up). The
        /// co-located rate is 10k: at 50k dnsperf and a server fill one vCPU here, and the figure
        /// measured the CPU's spare capacity (and RT throttling's 50 ms pauses), not the server.
        func figures(_ server: IPv4Address, port: UInt16) throws -> Figures {
            Figures(max: try perf(server, port: port, rate: nil), split: try perf(server, port: port, rate: 50_000),
                    colocated: placement == nil ? nil : try perf(server, port: port, rate: Self.colocatedRate, colocated: true))
        }
        var mine: [Figures] = [], reference: [Figures] = [], floor: [Figures] = []
        for _ in 0..<Self.rounds {
            mine.append(try figures(loopback, port: 53))
            if dnsmasqPID != nil { reference.append(try figures(loopback, port: 5353)) }
            floor.append(try figures(loopback, port: 5300))
        }
        local.stop()
        var rows: [(String, Figures)] = [("Faultline, loopback", .median(mine))]
        if !reference.isEmpty { rows.append(("dnsmasq, loopback", .median(reference))) }
        rows.append(("reflector (floor), loopback", .median(floor)))
        // The same without the history, to show what recording costs.
        let bare = try DNSServer.start(responder: responder, on: client, addresses: [loopback], port: 53, hosts: hosts, history: nil)
        rows.append(("Faultline, loopback, no history", try figures(loopback, port: 53)))
        bare.stop()
        let routed = try DNSServer.start(responder: responder, on: topology.routerThread, addresses: [plan.routerAddress], hosts: hosts, history: history)
        rows.append(("Faultline, router via veth", try figures(plan.routerAddress, port: 53)))
        routed.stop()

        func describe(_ rounds: [Figures]) -> String {
            rounds.map { f in
                "\(format(f.max.qps, 0)) \(format(f.split.averageLatency * 1e6, 0))/\(f.colocated.map { format($0.averageLatency * 1e6, 0) } ?? "-") µs "
                    + "(steal \(format(f.steal * 100, 1)) %)"
            }.joined(separator: ", ")
        }
        print("  rounds: max qps, avg latency at 50k split / at 10k co-located, and the CPU time the host stole meanwhile:")
        print("    Faultline \(describe(mine))")
        if !reference.isEmpty { print("    dnsmasq   \(describe(reference))") }
        print("    reflector \(describe(floor))")
        print("  medians of the rounds; latency as avg (σ, max) in µs; split = dnsperf on its own CPU, co-located = on the server's (10k qps)")
        print("  server                          | max qps  | avg latency at max | at 50k qps, split  | at 10k qps, co-located | lost (max, split, co-located)")
        func latency(_ r: DNSPerfResult?) -> String {
            guard let r else { return "-" }
            return "\(format(r.averageLatency * 1e6, 1)) (\(format(r.latencyDeviation * 1e6, 0)), \(format(r.maxLatency * 1e6, 0)))"
        }
        for (name, f) in rows {
            print("  \(pad(name, 31)) | \(pad(format(f.max.qps, 0), 8)) | \(pad(format(f.max.averageLatency * 1e6, 1) + " µs", 18)) | "
                + "\(pad(latency(f.split), 18)) | \(pad(latency(f.colocated), 22)) | \(f.max.lost), \(f.split.lost), \(f.colocated?.lost ?? "-")")
        }
        if let ours = rows.first?.1, let theirs = rows.first(where: { $0.0.hasPrefix("dnsmasq") })?.1,
           let least = rows.first(where: { $0.0.hasPrefix("reflector") })?.1 {
            // Each round's pair was measured within a minute, so its ratio is less moved by the
            // host's load drifting over the run than the ratio of the medians.
            let paired = zip(mine, reference).map { $0.max.qps / $1.max.qps }.sorted()
            print("  ratio Faultline ÷ dnsmasq (loopback, max qps): \(format(ours.max.qps / theirs.max.qps, 2))× of the medians, "
                + "\(format(paired[paired.count / 2], 2))× the median round (rounds \(paired.map { format($0, 2) }.joined(separator: ", "))); goal ≥ 1.3×")
            func mean(_ r: DNSPerfResult?) -> String { r.map { format($0.averageLatency * 1e6, 1) + " µs" } ?? "-" }
            print("  avg latency at 50k qps (goal ≤ 25 µs): split: Faultline \(mean(ours.split)), dnsmasq \(mean(theirs.split)), "
                + "reflector \(mean(least.split)); co-located at 10k qps: Faultline \(mean(ours.colocated)), dnsmasq \(mean(theirs.colocated)), "
                + "reflector \(mean(least.colocated))")
        }
        let own = rows.compactMap { row in row.1.split.serverTime.map { "\(row.0) \(format($0 * 1e6, 1)) µs" } }
        if !own.isEmpty {
            print("  Faultline's own time per query at 50k (receipt → reply sent, from the history's dns.query latency): "
                + own.joined(separator: ", ") + "; the rest of the round trip is the kernel and the two threads it wakes")
        }
        print("  history events recorded: \(history.events.count)")
        print("")
    }

    static let rounds = 5
    /// The rate of the co-located latency figure.
    static let colocatedRate = 10_000

    /// The median-qps run, with the latency figures of the median-latency run.
    static func median(_ results: [DNSPerfResult]) -> DNSPerfResult {
        var result = results.sorted { $0.qps < $1.qps }[results.count / 2]
        let latency = results.sorted { $0.averageLatency < $1.averageLatency }[results.count / 2]
        result.averageLatency = latency.averageLatency
        result.latencyDeviation = latency.latencyDeviation
        result.maxLatency = latency.maxLatency
        result.serverTime = latency.serverTime
        return result
    }

    /// Reads `Queries per second:` and `Average Latency (s):` from dnsperf's summary.
    static func parse(_ output: String) throws -> DNSPerfResult {
        func value(after label: String) -> Double? {
            guard let line = output.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
            return line.split(separator: " ").compactMap { Double($0) }.first
        }
        let lost = output.split(separator: "\n").first { $0.contains("Queries lost:") }
            .map { $0.replacingOccurrences(of: "Queries lost:", with: "").trimmingCharacters(in: .whitespaces) + " lost" } ?? "?"
        guard let qps = value(after: "Queries per second:"), let latency = value(after: "Average Latency (s):") else {
            throw BenchError(description: "dnsperf printed no summary:\n\(output)")
        }
        // "Average Latency (s):  0.000027 (min 0.000006, max 0.001832)"
        let maximum = output.split(separator: "\n").first { $0.contains("Average Latency (s):") }
            .flatMap { $0.components(separatedBy: "max ").last }
            .flatMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: ") "))) } ?? .nan
        return DNSPerfResult(qps: qps, averageLatency: latency, latencyDeviation: value(after: "Latency StdDev (s):") ?? .nan,
                             maxLatency: maximum, lost: lost)
    }
}

extension DNSBench {
    /// `faultline-bench dns-serve`: Faultline's DNS server on 127.0.0.1:53 of a bench namespace,
    /// history recording on, until stdin closes — for measuring by hand (`ip netns exec NS dnsperf …`).
    static func serve() throws {
        try DNSBenchWorld.with { world in
            let history = ProcessInfo.processInfo.environment["FL_NO_HISTORY"] == nil ? world.history : nil
            let server = try DNSServer.start(responder: world.responder, on: world.client, addresses: [IPv4Address(parsing: "127.0.0.1")!],
                                             port: 53, hosts: world.hosts, history: history)
            let routed = try DNSServer.start(responder: world.responder, on: world.topology.routerThread,
                                             addresses: [world.plan.routerAddress], hosts: world.hosts, history: history)
            print("namespace \(world.plan.hosts[1].namespace) pid \(getpid()) router \(world.plan.routerAddress)")
            fflush(nil)
            while readLine() != nil {}
            routed.stop()
            server.stop()
            print("history events recorded: \(history?.events.count ?? 0)")
        }
    }
}

/// The bench's testbed: hosts `api` and `client` (loopback up), the zone Faultline serves (dnsmasq
/// is given the same names), a work folder, and a history streamed to a file in it as in a run.
struct DNSBenchWorld {
    let plan: TopologyPlan
    let topology: Topology
    let work: String
    let hosts: [String: IPv4Address]
    let history: History
    let client: NamespaceThread
    let responder: DNSResponder
    /// The server's own time per query (receipt → reply sent), from the `dns.query` events recorded.
    let serverTime: ServerTimeMeter

    /// Builds the world, runs `body` in it, and takes it all down again.
    static func with<T>(_ body: (DNSBenchWorld) throws -> T) throws -> T {
        let tag = "bd\(String(UInt32.random(in: 0..<0xFFFF), radix: 16))"
        let plan = try TopologyPlan.make(runID: tag, hosts: ["api", "client"], network: .defaultTestbed)
        let registration = try BenchTestbed.register(plan)
        defer { BenchTestbed.release(registration) }
        let topology = try Topology.build(plan)
        defer { try? topology.teardown() }
        // The run's own folder under /run/faultline: releasing the testbed removes it, and so
        // does `faultline cleanup` after a SIGKILL.
        let work = RunRegistry.workDirectory(runID: plan.runID)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var hosts: [String: IPv4Address] = [:]
        for h in plan.hosts { hosts[h.host] = h.address }
        let settings = DNSSettings(records: [
            DNSRecordSpec(name: "consul.service.consul", data: .a(.host("api"))),
            DNSRecordSpec(name: "alias.service.consul", data: .a(.host("api"))),
        ])
        _ = FileManager.default.createFile(atPath: work + "/history.jsonl", contents: nil)
        let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: work + "/history.jsonl"))
        defer { try? sink.close() }
        let meter = ServerTimeMeter()
        let history = History(sink: sink, clock: { TimeSpan(nanoseconds: Int64(RunClock.monotonicNow())) }, observer: meter.observe)
        try topology.backend.setLinkUp("lo", in: plan.hosts[1].namespace)
        let world = DNSBenchWorld(
            plan: plan, topology: topology, work: work, hosts: hosts, history: history, client: try topology.thread(of: "client"),
            responder: DNSResponder(zone: try DNSZone(hosts: hosts, settings: settings)), serverTime: meter)
        return try body(world)
    }
}
/// Sums the latency of every `dns.query` event as it is recorded (a history observer), so a run's
/// mean server time is the difference of two readings.
final class ServerTimeMeter: Sendable {
    /// Taken under the history's lock by the real-time UDP loop, and by the bench's main thread.
    private let sums = PriorityInheritingMutex<(total: Int64, count: Int)>((0, 0))

    func observe(_ event: Event) {
        guard case .dnsQuery(_, _, _, _, _, _, _, let latency, _) = event.kind else { return }
        sums.withLock { sums in
            sums.total += latency.nanoseconds
            sums.count += 1
        }
    }

    var reading: (nanoseconds: Int64, count: Int) { sums.withLock { ($0.total, $0.count) } }

    /// The mean, in seconds, of the queries recorded since `start`.
    func mean(since start: (nanoseconds: Int64, count: Int)) -> Double {
        let now = reading
        return now.count == start.count ? .nan : Double(now.nanoseconds - start.nanoseconds) / Double(now.count - start.count) / 1e9
    }
}

/// The hypervisor's `steal` time from /proc/stat over an interval, as a share of all CPU time.
struct StealMeter {
    private let start: (steal: UInt64, total: UInt64)

    init() { start = Self.read() }

    func share() -> Double {
        let end = Self.read()
        let total = end.total &- start.total
        return total == 0 ? 0 : Double(end.steal &- start.steal) / Double(total)
    }

    /// The `cpu` line: user nice system idle iowait irq softirq steal guest guest_nice (ticks).
    private static func read() -> (steal: UInt64, total: UInt64) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return (0, 0) }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 8 else { return (0, 0) }
        // guest time is already counted in user: the first eight fields are the whole.
        return (fields[7], fields[0..<8].reduce(0, +))
    }
}

/// The least a UDP server can do: one `recvfrom` and one `sendto` per datagram, the query sent
/// back with its QR bit set (dnsperf takes it as an answer), from a SCHED_FIFO thread like
/// Faultline's. Its figures are the floor this machine sets for any server that answers a
/// datagram per system call.
final class Reflector: Sendable {
    private let fd: Int32
    private let port: UInt16
    private let stopping = Atomic(false)
    private let finished = DispatchSemaphore(value: 0)

    private init(fd: Int32, port: UInt16) {
        self.fd = fd
        self.port = port
    }

    static func start(on thread: NamespaceThread, port: UInt16) throws -> Reflector {
        let fd: Int32 = try thread.run {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { throw BenchError(description: "reflector socket: \(String(cString: strerror(errno)))") }
            let rc = bind(fd, to: .loopback(port: port))
            guard rc == 0 else {
                close(fd)
                throw BenchError(description: "reflector bind 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
            }
            return fd
        }
        let reflector = Reflector(fd: fd, port: port)
        let worker = Thread { [reflector] in
            reflector.serve()
            reflector.finished.signal()
        }
        worker.name = "reflector"
        worker.start()
        return reflector
    }

    private func serve() {
        var param = sched_param(sched_priority: DNSServer.udpRealtimePriority)
        _ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let (n, from) = buffer.withUnsafeMutableBytes { receive(fd, into: $0.baseAddress!, count: $0.count) }
            // stop() wakes the loop with a 1-byte datagram; only then is the flag worth reading.
            guard n >= 3 else {
                if stopping.load(ordering: .sequentiallyConsistent) { return }
                continue
            }
            buffer[2] |= 0x80
            _ = send(fd, buffer, count: n, to: from)
        }
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        // A datagram to itself wakes the blocked receive.
        var byte: UInt8 = 0
        _ = send(fd, &byte, count: 1, to: .loopback(port: port))
        finished.wait()
        close(fd)
    }
}
