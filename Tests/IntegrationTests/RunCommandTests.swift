import Foundation
import Glibc
import LinuxSystem
import Netlink
import Testbed
import Testing

/// `faultline run`, `validate` and `cleanup` as a user calls them: the real binary, real
/// namespaces, real processes, and the exit codes the CLI promises.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"), .serialized)
struct RunCommandTests {
    /// The `faultline` binary SwiftPM built next to this test bundle.
    static let binary: String = {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        let exe = n > 0 ? String(decoding: buf[..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test bundle may be a folder (.xctest/…) a level or two below the build folder.
        for _ in 0..<4 where !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("faultline").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("faultline").path
    }()

    struct Finished {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary (or `executable` with `args`) and waits for it.
    static func faultline(_ args: [String], in directory: URL, executable: String = binary) throws -> Finished {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Finished(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Waits (up to 20 s) until the run writing into `dir/reports` has applied `count` faults, as its
    /// streamed history says; returns its run id and how many it applied.
    static func waitForAppliedFaults(_ count: Int, in dir: URL) throws -> (runID: String, applied: Int) {
        let deadline = Date().addingTimeInterval(20)
        var historyFile: URL?
        var applied = 0
        while Date() < deadline && applied < count {
            usleep(50_000)
            let e = FileManager.default.enumerator(at: dir.appendingPathComponent("reports"), includingPropertiesForKeys: nil)
            historyFile = (e?.allObjects as? [URL])?.first { $0.lastPathComponent == "history.jsonl" }
            if let h = historyFile, let text = try? String(contentsOf: h, encoding: .utf8) {
                applied = text.components(separatedBy: "\"fault.applied\"").count - 1
            }
        }
        let runID = try #require(historyFile?.deletingLastPathComponent().lastPathComponent.split(separator: "-").last.map(String.init))
        return (runID, applied)
    }

    /// Reads a pipe to its end and closes it.
    static func readAll(_ fd: Int32) -> String {
        defer { close(fd) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A fresh folder holding `files`.
    static func workspace(_ files: [String: String]) throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fl-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            if name.hasSuffix(".sh") { chmod(url.path, 0o755) }
        }
        return dir
    }

    static func report(in dir: URL) throws -> [String: Any] {
        let reports = dir.appendingPathComponent("reports")
        let enumerator = FileManager.default.enumerator(at: reports, includingPropertiesForKeys: nil)
        let file = try #require((enumerator?.allObjects as? [URL])?.first { $0.lastPathComponent == "report.json" })
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
    }

    /// A client that polls the server every 100 ms and an HTTP server, cut apart for 1 s.
    static func scenario(client: String, within: String = "1s") -> String {
        """
        scenario: short-partition
        duration: 4s
        hosts:
          api: { run: "exec python3 -m http.server 8080", ready: "tcp://api:8080" }
          client: { run: "\(client)" }
        faults:
          - name: split
            at: 1s
            for: 1s
            partition: { between: [client, api], mode: reject }
        expect:
          - name: client keeps running
            process: { host: client, running: true }
          - name: recovers
            after: split
            within: \(within)
            probe: { from: client, http: "http://api:8080/", every: 100ms, timeout: 500ms, success: ">= 95%" }
        """
    }

    @Test func aClientThatRidesOutThePartitionPasses() throws {
        let dir = try Self.workspace([
            "s.yaml": Self.scenario(client: "while :; do curl -s -m 1 -o /dev/null http://api:8080/ && echo ok || echo fail; sleep 0.1; done"),
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Self.faultline(["run", "s.yaml", "--reports", "reports"], in: dir)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("report: "))
        let report = try Self.report(in: dir)
        #expect(report["verdict"] as? String == "pass")
        let timeline = try #require(report["timeline"] as? [[String: Any]])
        let split = try #require(timeline.first)
        // Planned and actual apply times are both in the report, and close.
        let planned = try #require(split["plannedApply"] as? Double)
        let actual = try #require(split["actualApply"] as? Double)
        #expect(planned == 1)
        // `reject` is an iptables rule, spawned: 15–40 ms on an idle machine, more on a busy one.
        #expect(actual >= planned && actual - planned < 0.2, "applied at \(actual)")
        let expectations = try #require(report["expectations"] as? [[String: Any]])
        let recovers = try #require(expectations.first { $0["expectation"] as? String == "recovers" })
        let evidence = try #require(recovers["evidence"] as? [String: Any])
        #expect((evidence["attempts"] as? Double ?? 0) > 5)
        #expect(evidence["recoverySeconds"] != nil)
    }

    @Test func aClientThatDiesOnTheFirstFailureFailsWithTheReason() throws {
        let dir = try Self.workspace([
            "s.yaml": Self.scenario(client: "while curl -s -m 1 -o /dev/null http://api:8080/; do sleep 0.1; done; echo giving up; exit 7"),
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Self.faultline(["run", "s.yaml", "--reports", "reports"], in: dir)
        #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("FAIL client keeps running"))
        #expect(run.stdout.contains("exit 7"))
        let report = try Self.report(in: dir)
        #expect(report["verdict"] as? String == "fail")
    }

    @Test func aBrokenScenarioListsEveryProblemAndCreatesNothing() throws {
        let dir = try Self.workspace([
            "bad.yaml": """
                scenario: bad
                duration: 5 sec
                hosts:
                  api: { run: "true" }
                faults:
                  - name: cut
                    at: 1s
                    partition: { between: [api, ghost], mode: dorp }
                """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = NetworkNamespace.list(prefix: "fl-").count
        let run = try Self.faultline(["run", "bad.yaml", "--reports", "reports"], in: dir)
        #expect(run.status == 2)
        #expect(run.stderr.contains("bad.yaml:2:11"))
        #expect(run.stderr.contains("ghost"))
        #expect(run.stderr.contains("dorp"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("reports").path))
        _ = before
    }

    @Test func sigkillMidPartitionThenCleanupLeavesNothing() throws {
        let rootBefore = try RootSnapshot.take()
        let dir = try Self.workspace([
            "s.yaml": """
                scenario: killed
                duration: 60s
                hosts:
                  api: { run: "exec python3 -m http.server 8080", ready: "tcp://api:8080" }
                  client: { run: "sleep 600" }
                  db: { run: "sleep 600 & sleep 600" }
                faults:
                  - name: cut
                    at: 500ms
                    for: 50s
                    partition: { between: [client, api], mode: reset }
                  - name: drop
                    at: 500ms
                    partition: { from: db, to: api, mode: drop }
                """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let child = try Spawn.start(
            [Self.binary, "run", "s.yaml", "--reports", "reports", "--quiet"],
            env: ProcessInfo.processInfo.environment, directory: dir.path, capture: false)
        // Wait until both faults are in place, as the streamed history says.
        let (runID, applied) = try Self.waitForAppliedFaults(2, in: dir)
        #expect(applied == 2)
        let namespaces = NetworkNamespace.list(prefix: "fl-\(runID)-")
        #expect(namespaces.count == 4)
        let inodes = Set(namespaces.compactMap { try? $0.inode() })
        let serverPIDs = Reaper.processes(inNamespaces: inodes)
        #expect(!serverPIDs.isEmpty)

        kill(child.pid, SIGKILL)
        #expect(Spawn.wait(child.pid) == .signaled(SIGKILL))
        // The run's namespaces outlive it …
        #expect(NetworkNamespace.list(prefix: "fl-\(runID)-").count == 4)

        let cleanup = try Self.faultline(["cleanup"], in: dir)
        #expect(cleanup.status == 0, "\(cleanup.stdout)\n\(cleanup.stderr)")
        #expect(cleanup.stdout.contains(runID))
        // … and cleanup leaves none of them, no process of theirs, no state, and the root namespace as it was.
        #expect(NetworkNamespace.list(prefix: "fl-\(runID)-").isEmpty)
        // Killed processes of a dead run are reparented; whoever reaps them, they no longer run.
        for pid in serverPIDs { #expect(!Reaper.isLive(pid)) }
        #expect(!FileManager.default.fileExists(atPath: "/run/faultline/runs/\(runID).json"))
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains("fl-\(runID)-"))
        #expect(try RootSnapshot.take() == rootBefore)
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalHealsTearsDownAndReportsTheRunAsInterrupted(signal: Int32) throws {
        let dir = try Self.workspace([
            "s.yaml": """
                scenario: interrupted
                duration: 60s
                hosts:
                  api: { run: "exec python3 -m http.server 8080", ready: "tcp://api:8080" }
                  client: { run: "sleep 600" }
                faults:
                  - name: cut
                    at: 200ms
                    partition: { between: [client, api] }
                """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let child = try Spawn.start(
            [Self.binary, "run", "s.yaml", "--reports", "reports", "--quiet"],
            env: ProcessInfo.processInfo.environment, directory: dir.path)
        defer { child.stderr.map { _ = close($0) } }
        let (runID, _) = try Self.waitForAppliedFaults(1, in: dir)
        kill(child.pid, signal)
        let stdout = try Self.readAll(#require(child.stdout))
        #expect(Spawn.wait(child.pid) == .exited(130))
        #expect(stdout.contains("report: "))
        let report = try Self.report(in: dir)
        #expect(report["interrupted"] as? Bool == true)
        #expect(report["signal"] as? String == (signal == SIGINT ? "SIGINT" : "SIGTERM"))
        let timeline = try #require(report["timeline"] as? [[String: Any]])
        #expect(timeline.first?["actualHeal"] != nil)
        #expect(NetworkNamespace.list(prefix: "fl-\(runID)-").isEmpty)
    }
}
