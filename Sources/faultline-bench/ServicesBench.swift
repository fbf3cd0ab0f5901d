import Foundation
import LinuxSystem
import Netlink
import RunHistory
import ScenarioFormat
import Services
import Testbed

/// The stand-in HTTP server under `wrk`, against `python3 -m http.server` and nginx serving the
/// same body from a file, all in the same run and the same testbed: server in host `srv`, `wrk`
/// in host `load`. One server thread/worker each, so the figures compare like with like.
func benchServices(runTag: String) throws {
    print("Stand-in HTTP server under wrk (1 connection thread, 50 connections, 5 s, keep-alive where the server allows):")
    guard let wrk = ExternalCommand.locate("wrk") else {
        print("  skipped: wrk is not installed (Debian package wrk; scripts/setup.sh)")
        return
    }
    let plan = try TopologyPlan.make(runID: "\(runTag)-s", hosts: ["srv", "load"], network: .defaultTestbed)
    let registration = try BenchTestbed.register(plan)
    defer { BenchTestbed.release(registration) }
    let topology = try Topology.build(plan)
    defer { try? topology.teardown() }
    let address = try topology.address(of: "srv")
    let body = #"{"items":[]}"#
    // The run's own folder, removed with the testbed's registration.
    let folder = RunRegistry.workDirectory(runID: plan.runID)
    try FileManager.default.createDirectory(atPath: folder + "/www/v1", withIntermediateDirectories: true)
    try body.write(toFile: folder + "/www/v1/items", atomically: true, encoding: .utf8)

    func load(_ port: UInt16) throws -> String {
        let out = folder + "/wrk-\(port).txt"
        let command = "\(wrk) -t1 -c50 -d5s --latency http://\(address):\(port)/v1/items > \(out) 2>&1"
        _ = try topology.thread(of: "load").run { try ExternalCommand.run("/bin/sh", ["-c", command]) }
        return WrkFigures(parsing: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "").row
    }

    /// Starts a reference server in `srv` and returns its pid (its own process group).
    func spawn(_ argv: [String]) throws -> pid_t {
        try topology.thread(of: "srv").run {
            try Spawn.start(argv, env: ProcessInfo.processInfo.environment, directory: folder + "/www", capture: false, discard: true).pid
        }
    }
    func stop(_ pid: pid_t) {
        kill(pid, SIGTERM)
        _ = Spawn.wait(pid)
    }
    func waitForPort(_ port: UInt16) {
        for _ in 0..<100 {
            let ok = (try? topology.thread(of: "load").run {
                try ExternalCommand.run("/bin/sh", ["-c", "exec 3<>/dev/tcp/\(address)/\(port)"])
            })?.succeeded == true
            if ok { return }
            usleep(50_000)
        }
    }

    print("  server                          | requests/s | p50       | p99")
    let services = StandInServices(threads: 1)
    let history = History(clock: { .zero })
    try services.start(.http(HTTPServiceSpec(port: 8080, routes: [HTTPRoute(path: "/v1/items", respond: HTTPReply(status: 200, body: body))])),
                       host: "srv", topology: topology, history: history)
    print("  \(pad("Faultline stand-in (SwiftNIO)", 31)) | \(try load(8080))")
    services.stop()

    let python = try spawn(["/usr/bin/env", "python3", "-m", "http.server", "8081"])
    waitForPort(8081)
    print("  \(pad("python3 -m http.server (1.0)", 31)) | \(try load(8081))")
    stop(python)

    if let nginx = ExternalCommand.locate("nginx") {
        let conf = """
        daemon off; worker_processes 1; pid \(folder)/nginx.pid; error_log \(folder)/error.log;
        events { worker_connections 1024; }
        http {
          access_log off; default_type application/json;
          client_body_temp_path \(folder)/tmp; proxy_temp_path \(folder)/tmp; fastcgi_temp_path \(folder)/tmp;
          uwsgi_temp_path \(folder)/tmp; scgi_temp_path \(folder)/tmp;
          server { listen 8082; root \(folder)/www; }
        }
        """
        try conf.write(toFile: folder + "/nginx.conf", atomically: true, encoding: .utf8)
        let pid = try spawn([nginx, "-c", folder + "/nginx.conf", "-p", folder])
        waitForPort(8082)
        print("  \(pad("nginx (1 worker, static file)", 31)) | \(try load(8082))")
        stop(pid)
    } else {
        print("  nginx: skipped (not installed; Debian package nginx-light)")
    }
    print("  stand-in recorded \(history.events.count / 2) exchanges in the history while loaded")
}

/// The figures `wrk --latency` prints.
struct WrkFigures {
    var requestsPerSecond = "-"
    var p50 = "-"
    var p99 = "-"
    var errors = ""

    init(parsing text: String) {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("Requests/sec:"), let v = words.last { requestsPerSecond = String(v) }
            if words.first == "50%", let v = words.last { p50 = String(v) }
            if words.first == "99%", let v = words.last { p99 = String(v) }
            if line.contains("Socket errors") || line.contains("Non-2xx") { errors += " [\(line.trimmingCharacters(in: .whitespaces))]" }
        }
    }

    var row: String { "\(pad(requestsPerSecond, 10)) | \(pad(p50, 9)) | \(p99)\(errors)" }
}
