// `faultline-bench dns`: dnsperf against Faultline's DNS server and against dnsmasq, same names,
// same machine, same run. Both serve from loopback of one testbed namespace (dnsperf runs
// there too); Faultline's server is also measured where runs put it, across the router's veth.
import DNS
import Foundation
import Glibc
import Netlink
import RunHistory
import ScenarioFormat
import Testbed

/// One dnsperf run's figures.
struct DNSPerfResult {
    var qps: Double
    var averageLatency: Double
    var lost: String
}

enum DNSBench {
    static let names = ["api", "client", "consul.service.consul", "alias.service.consul"]

    static func run() throws {
        guard let dnsperf = ExternalCommand.locate("dnsperf") else {
            throw BenchError(description: "dnsperf is not installed (Debian package dnsperf; scripts/setup.sh installs it)")
        }
        let dnsmasq = ExternalCommand.locate("dnsmasq")
        let chrt = ExternalCommand.locate("chrt")
        let tag = "bd\(String(UInt32.random(in: 0..<0xFFFF), radix: 16))"
        let plan = try TopologyPlan.make(runID: tag, hosts: ["api", "client"], network: .defaultTestbed)
        let topology = try Topology.build(plan)
        defer {
            try? topology.teardown()
            removeBenchNamespaces("fl-\(tag)")
        }
        let work = NSTemporaryDirectory() + "fl-\(tag)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var hosts: [String: IPv4Address] = [:]
        for h in plan.hosts { hosts[h.host] = h.address }
        let settings = DNSSettings(records: [
            DNSRecordSpec(name: "consul.service.consul", data: .a(.host("api"))),
            DNSRecordSpec(name: "alias.service.consul", data: .a(.host("api"))),
        ])
        let queries = names.map { "\($0) A" }.joined(separator: "\n") + "\n"
        try queries.write(toFile: work + "/queries", atomically: true, encoding: .utf8)

        // History recording on, streamed to a file as in a run.
        FileManager.default.createFile(atPath: work + "/history.jsonl", contents: nil)
        let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: work + "/history.jsonl"))
        defer { try? sink.close() }
        let history = History(sink: sink, clock: { TimeSpan(nanoseconds: Int64(RunClock.monotonicNow())) })
        let client = try topology.thread(of: "client")
        let responder = DNSResponder(zone: try DNSZone(hosts: hosts, settings: settings))
        let loopback = IPv4Address(parsing: "127.0.0.1")!
        try topology.backend.setLinkUp("lo", in: plan.hosts[1].namespace)

        func perf(_ server: IPv4Address, port: UInt16, rate: Int?) throws -> DNSPerfResult {
            var args = [dnsperf, "-s", server.description, "-p", String(port), "-d", work + "/queries", "-l", "5", "-q", "200"]
            if let rate { args += ["-Q", String(rate)] }
            // At a fixed rate dnsperf runs at a low real-time priority (for every server alike), so
            // its latency figure is the server's and not the scheduling of dnsperf's own threads
            // behind other work on a shared machine. Not at full speed: there it would starve the
            // servers that run as ordinary processes.
            if rate != nil, let chrt { args = [chrt, "-f", "2"] + args }
            let child = try client.run { try Spawn.start(args, env: ["PATH": "/usr/bin:/bin"]) }
            let output = readAll(child.stdout) + readAll(child.stderr)
            _ = Spawn.wait(child.pid)
            return try parse(output)
        }

        print("DNS: dnsperf (1 client, ≤ 200 outstanding, 5 s per figure) on \(names.count) names; history recording on; "
            + (chrt == nil ? "chrt missing: dnsperf at normal priority throughout" : "dnsperf at SCHED_FIFO 2 for the -Q 50000 runs"))
        var rows: [(String, DNSPerfResult, DNSPerfResult)] = []
        // dnsmasq next to Faultline in the same namespace (port 5353), so the two can be measured
        // in alternation: on a shared 2-core machine the load from other work drifts over a minute.
        var dnsmasqPID: pid_t?
        if let dnsmasq {
            let hostsFile = work + "/hosts"
            let lines = hosts.map { "\($0.value) \($0.key)" } + ["\(hosts["api"]!) consul.service.consul alias.service.consul"]
            try (lines.joined(separator: "\n") + "\n").write(toFile: hostsFile, atomically: true, encoding: .utf8)
            let args = [dnsmasq, "-k", "--port=5353", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                        "--no-hosts", "--addn-hosts=\(hostsFile)", "--pid-file=", "--user=root", "--log-facility=\(work)/dnsmasq.log"]
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
        let local = try DNSServer.start(responder: responder, on: client, addresses: [loopback], port: 53, hosts: hosts, history: history)
        // Three rounds, Faultline and dnsmasq in turn; each figure is the median of its three.
        var mine: [(DNSPerfResult, DNSPerfResult)] = []
        var reference: [(DNSPerfResult, DNSPerfResult)] = []
        for _ in 0..<Self.rounds {
            mine.append((try perf(loopback, port: 53, rate: nil), try perf(loopback, port: 53, rate: 50_000)))
            if dnsmasqPID != nil {
                reference.append((try perf(loopback, port: 5353, rate: nil), try perf(loopback, port: 5353, rate: 50_000)))
            }
        }
        local.stop()
        rows.append(("Faultline, loopback", median(mine.map(\.0)), median(mine.map(\.1))))
        if !reference.isEmpty {
            rows.append(("dnsmasq, loopback", median(reference.map(\.0)), median(reference.map(\.1))))
        }
        // The same without the history, to show what recording costs.
        let bare = try DNSServer.start(responder: responder, on: client, addresses: [loopback], port: 53, hosts: hosts, history: nil)
        rows.append(("Faultline, loopback, no history", try perf(loopback, port: 53, rate: nil), try perf(loopback, port: 53, rate: 50_000)))
        bare.stop()
        let routed = try DNSServer.start(responder: responder, on: topology.routerThread, addresses: [plan.routerAddress], hosts: hosts, history: history)
        rows.append(("Faultline, router via veth", try perf(plan.routerAddress, port: 53, rate: nil), try perf(plan.routerAddress, port: 53, rate: 50_000)))
        routed.stop()
        if !reference.isEmpty {
            print("  rounds (max qps, avg latency at 50k): Faultline \(mine.map { "\(format($0.0.qps, 0)) \(format($0.1.averageLatency * 1e6, 1)) µs" }.joined(separator: ", ")); "
                + "dnsmasq \(reference.map { "\(format($0.0.qps, 0)) \(format($0.1.averageLatency * 1e6, 1)) µs" }.joined(separator: ", "))")
        }
        print("  server                          | max qps  | avg latency at max | qps at -Q 50000 | avg latency at 50k | lost")
        for (name, max, at50k) in rows {
            print("  \(pad(name, 31)) | \(pad(format(max.qps, 0), 8)) | \(pad(format(max.averageLatency * 1e6, 1) + " µs", 18)) | \(pad(format(at50k.qps, 0), 15)) | \(pad(format(at50k.averageLatency * 1e6, 1) + " µs", 18)) | \(max.lost), \(at50k.lost)")
        }
        if let mine = rows.first, let reference = rows.first(where: { $0.0.hasPrefix("dnsmasq") }) {
            print("  ratio Faultline ÷ dnsmasq (loopback, max qps, medians): \(format(mine.1.qps / reference.1.qps, 2))× (goal ≥ 1.3×); "
                + "avg latency at 50k qps: Faultline \(format(mine.2.averageLatency * 1e6, 1)) µs (goal ≤ 25 µs), "
                + "dnsmasq \(format(reference.2.averageLatency * 1e6, 1)) µs")
        }
        print("  history events recorded: \(history.events.count)")
        print("")
    }

    static let rounds = 3

    /// The median qps and the median latency (each on its own), with the median-qps run's losses.
    static func median(_ results: [DNSPerfResult]) -> DNSPerfResult {
        var result = results.sorted { $0.qps < $1.qps }[results.count / 2]
        result.averageLatency = results.map(\.averageLatency).sorted()[results.count / 2]
        return result
    }

    static func readAll(_ fd: Int32?) -> String {
        guard let fd else { return "" }
        defer { close(fd) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
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
        return DNSPerfResult(qps: qps, averageLatency: latency, lost: lost)
    }
}
