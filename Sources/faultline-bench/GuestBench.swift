import Foundation
import Glibc
import Guest
import LinuxSystem
import Netlink

/// `faultline-bench guest`: what `faultline run --kernel guest` costs against a run on this
/// machine's kernel, on the same scenario, in alternating rounds: the guest's boot, the run's
/// setup, a probe's round trip (TCP connect through the router) and the CPU the whole run used.
enum GuestBench {
    static let scenario = """
        scenario: guest-bench
        duration: 5s
        hosts:
          api:
            service: http
            port: 8080
            routes:
              - path: /
                respond: { status: 200, body: ok }
          client: { run: "sleep 600" }
        expect:
          - name: connects
            probe: { from: client, tcp: "api:8080", every: 50ms, timeout: 1s, success: ">= 99%" }
          - name: requests
            probe: { from: client, http: "http://api:8080/", every: 100ms, timeout: 1s, success: ">= 99%" }
        """

    struct Round {
        var wall: Double, setup: Double, cpu: Double
        var connect: [Double], request: [Double]
    }

    static func run(binary: String, rounds: Int = 3) throws {
        print("Guest mode (faultline run --kernel guest) against this machine's kernel, same scenario, \(rounds) alternating rounds:")
        guard case .success(let kernel) = GuestKernel.locate() else {
            print("  skipped: the guest kernel is not installed (apt-get install user-mode-linux)")
            return
        }
        // Not under /run: the guest has a /run of its own.
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("faultline-bench-guest-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)

        var boots: [Double] = []
        for _ in 0..<rounds {
            let outcome = try GuestLauncher(kernel: kernel, memoryMegabytes: 1024, initProgram: binary).run(["true"])
            boots.append(outcome.wallSeconds)
        }
        var native: [Round] = [], guest: [Round] = []
        for round in 0..<rounds {
            native.append(try measure(binary, ["run", "s.yaml", "--quiet", "--reports", "n\(round)"], dir, "n\(round)"))
            guest.append(try measure(binary, ["run", "s.yaml", "--quiet", "--reports", "g\(round)", "--kernel", "guest", "--guest-memory", "1024"], dir, "g\(round)"))
        }
        func median(_ v: [Double]) -> Double { percentile(v, 0.5) }
        func row(_ name: String, _ n: Double, _ g: Double, _ unit: String, _ digits: Int) {
            print("  \(pad(name, 34)) native \(format(n, digits)) \(unit), guest \(format(g, digits)) \(unit): \(format(g / n, 1))×")
        }
        print("  guest kernel boot and power-off (`faultline guest -- true`): median \(format(median(boots), 2)) s (user-mode Linux \(kernel.release))")
        row("whole run (5 s timeline)", median(native.map(\.wall)), median(guest.map(\.wall)), "s", 2)
        row("run setup (testbed, hosts, ready)", median(native.map(\.setup)) * 1e3, median(guest.map(\.setup)) * 1e3, "ms", 0)
        row("probe TCP connect, median", median(native.flatMap(\.connect)) * 1e3, median(guest.flatMap(\.connect)) * 1e3, "ms", 3)
        row("probe TCP connect, p99", percentile(native.flatMap(\.connect), 0.99) * 1e3, percentile(guest.flatMap(\.connect), 0.99) * 1e3, "ms", 3)
        row("probe HTTP request, median", median(native.flatMap(\.request)) * 1e3, median(guest.flatMap(\.request)) * 1e3, "ms", 3)
        row("CPU time of the whole run", median(native.map(\.cpu)), median(guest.map(\.cpu)), "s", 2)
    }

    /// Runs the command from `dir`; its wall and CPU time (children's rusage), the setup time
    /// from its report and the probes' latencies from its history.
    static func measure(_ binary: String, _ arguments: [String], _ dir: URL, _ reports: String) throws -> Round {
        var before = rusage(), after = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &before)
        let start = Date()
        let child = try Spawn.start([binary] + arguments, env: ProcessInfo.processInfo.environment, directory: dir.path, capture: false, discard: true)
        let status = Spawn.wait(child.pid)
        let wall = Date().timeIntervalSince(start)
        getrusage(RUSAGE_CHILDREN.rawValue, &after)
        guard status == .exited(0) else { throw SystemCallError("running faultline \(arguments.joined(separator: " "))", "\(status)", errno: 0) }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let cpu = seconds(after.ru_utime) - seconds(before.ru_utime) + seconds(after.ru_stime) - seconds(before.ru_stime)
        let folder = dir.appendingPathComponent(reports)
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []
        let report = try files.first { $0.lastPathComponent == "report.json" }.map { try Data(contentsOf: $0) }
            .flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        let setup = (report["durations"] as? [String: Double])?["setup"] ?? .nan
        var connect: [Double] = [], request: [Double] = []
        if let history = files.first(where: { $0.lastPathComponent == "history.jsonl" }) {
            for line in try String(contentsOf: history, encoding: .utf8).split(separator: "\n") where line.contains("\"type\":\"probe\"") {
                guard let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      event["ok"] as? Bool == true, let latency = event["latency"] as? Double else { continue }
                if event["probe"] as? String == "connects" { connect.append(latency) } else { request.append(latency) }
            }
        }
        return Round(wall: wall, setup: setup, cpu: cpu, connect: connect, request: request)
    }
}
