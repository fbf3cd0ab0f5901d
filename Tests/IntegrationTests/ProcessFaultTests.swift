import FaultlineCore
import Foundation
import Glibc
import LinuxSystem
import Netlink
import RunHistory
import ScenarioFormat
import Testbed
import Testing

/// Process and CPU faults played by `faultline run` on real namespaces, judged from the run's history.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"), .serialized)
struct ProcessFaultTests {
    /// What one `faultline run` left: its exit status, printed summary, run id and history.
    struct Played {
        var status: Int32
        var summary: String
        var runID: String
        var events: [Event]
        /// report.json, as JSON.
        var report: [String: Any]

        /// The expectation named `name` in the report: its verdict and summary.
        func expectation(_ name: String) -> (verdict: String?, summary: String) {
            let e = (report["expectations"] as? [[String: Any]])?.first { $0["expectation"] as? String == name }
            return (e?["verdict"] as? String, e?["summary"] as? String ?? "no expectation \(name) in the report")
        }
    }

    /// Runs `yaml` with the real binary (its own process, so a busy test suite cannot starve the
    /// run's timeline) and reads back the history it wrote; checks nothing of the run is left.
    static func run(_ yaml: String) throws -> Played {
        let dir = try RunCommandTests.workspace(["t.yaml": yaml])
        defer { try? FileManager.default.removeItem(at: dir) }
        let finished = try RunCommandTests.faultline(["run", "t.yaml", "--reports", "reports", "--quiet"], in: dir)
        let e = FileManager.default.enumerator(at: dir.appendingPathComponent("reports"), includingPropertiesForKeys: nil)
        let file = try #require((e?.allObjects as? [URL])?.first { $0.lastPathComponent == "history.jsonl" }, Comment(rawValue: finished.stderr))
        let runID = try #require(file.deletingLastPathComponent().lastPathComponent.split(separator: "-").last.map(String.init))
        let text = try String(contentsOf: file, encoding: .utf8)
        let events = try text.split(separator: "\n").map { try JSONDecoder().decode(Event.self, from: Data($0.utf8)) }
        #expect(NetworkNamespace.list(prefix: "fl-\(runID)-").isEmpty)
        for dir in CgroupSupport.controller?.directories(of: "faultline/\(runID)") ?? [] {
            #expect(!FileManager.default.fileExists(atPath: dir), "cgroup \(dir) left behind")
        }
        return Played(status: finished.status, summary: finished.stdout, runID: runID, events: events, report: try RunCommandTests.report(in: dir))
    }

    /// Not a setup error (exit 2) and no fault that failed to apply, heal or restart. (With no
    /// expectations the verdict itself is `unknown`, so it is not what these tests judge.)
    static func expectPlayedCleanly(_ played: Played) {
        #expect(played.status != 2, "setup failed: \(played.summary)")
        let failures = played.events.filter { if case .faultFailed = $0.kind { true } else { false } }
        #expect(failures.isEmpty, "\(failures)")
    }

    static func applied(_ fault: String, _ events: [Event]) -> TimeSpan? {
        events.first { if case .faultApplied(fault, _, _, _) = $0.kind { true } else { false } }?.t
    }

    static func healed(_ fault: String, _ events: [Event]) -> TimeSpan? {
        events.first { if case .faultHealed(fault, _) = $0.kind { true } else { false } }?.t
    }

    @Test func pauseStopsTheCounterAndResumeRestartsIt() throws {
        let played = try Self.run("""
            scenario: pause
            duration: 6s
            hosts:
              leader: { run: "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.05; done", ready: "log:^tick" }
            faults:
              - { name: freeze, at: 1s, for: 2s, process: { host: leader, action: pause } }
            """)
        Self.expectPlayedCleanly(played)
        let events = played.events
        let apply = try #require(Self.applied("freeze", events))
        let heal = try #require(Self.healed("freeze", events))
        let ticks = events.compactMap { e -> TimeSpan? in
            if case .processOutput("leader", _, let line) = e.kind, line.hasPrefix("tick") { e.t } else { nil }
        }
        // A line already on its way may land just after the stop; none after that until the heal.
        let during = ticks.filter { $0 > apply + .milliseconds(100) && $0 < heal }
        #expect(during.isEmpty, "ticks while paused: \(during)")
        // Loose counts: on a loaded machine each tick's fork of `sleep` may take far longer than 50 ms.
        #expect(ticks.filter { $0 < apply }.count >= 3, "ticks \(ticks), paused \(apply)…\(heal)")
        #expect(ticks.filter { $0 > heal }.count >= 3, "ticks \(ticks), paused \(apply)…\(heal)")
    }

    @Test func killAndRestartGivesANewPidThatBecomesReadyAgain() throws {
        let played = try Self.run("""
            scenario: crash
            duration: 5s
            hosts:
              api: { run: "exec python3 -m http.server 8080", ready: "tcp://api:8080" }
            faults:
              - { name: crash, at: 1s, process: { host: api, action: kill, signal: KILL, restart: { after: 1s } } }
            """)
        Self.expectPlayedCleanly(played)
        let events = played.events
        let starts = events.compactMap { e -> (TimeSpan, Int32)? in
            if case .processStarted("api", let pid, _) = e.kind { (e.t, pid) } else { nil }
        }
        #expect(starts.count == 2)
        guard starts.count == 2 else { return }
        #expect(starts[0].1 != starts[1].1)
        let exit = events.first { if case .processExited("api", starts[0].1, _) = $0.kind { true } else { false } }
        if case .processExited(_, _, let status)? = exit?.kind { #expect(status == .signaled(9)) } else { Issue.record("no exit") }
        // Restarted 1 s after the kill, and ready again by its tcp rule.
        let apply = try #require(Self.applied("crash", events))
        #expect(starts[1].0 >= apply + .milliseconds(950))
        let ready = events.filter { if case .hostReady("api", _) = $0.kind { true } else { false } }
        #expect(ready.count == 2)
        #expect((ready.last?.t ?? .zero) > starts[1].0)
    }

    @Test func stressAndLimitLandInTheHistoryWithCPUSamples() throws {
        let played = try Self.run("""
            scenario: cpu
            duration: 3s
            hosts:
              busy: { run: "sleep 30" }
            faults:
              - { name: burn, at: 0s, for: 2s, cpu: { host: busy, load: 50%, workers: 1 } }
              - { name: cap, at: 2s, for: 500ms, cpu: { host: busy, limit: 20% } }
            """)
        Self.expectPlayedCleanly(played)
        let events = played.events
        try #require(CgroupSupport.controller != nil, "no cgroup engine: cpu faults cannot apply")
        #expect(Self.applied("burn", events) != nil && Self.applied("cap", events) != nil)
        let measured = events.compactMap { e -> Double? in
            if case .stressMeasured("burn", "busy", 1, let cpu, _) = e.kind { cpu } else { nil }
        }
        #expect(measured.count == 1)
        let burned = measured.first ?? 0
        #expect(burned > 0.3, "the worker burned \(burned)s in 2s")
        let samples = events.compactMap { e -> Double? in
            if case .cpuSample("busy", let s, _) = e.kind { s } else { nil }
        }
        #expect(samples.count >= 5)
        // The worker burned inside the host's cgroup: its accounting saw at least what it burned.
        #expect((samples.last ?? 0) >= burned * 0.95, "cgroup saw \(samples.last ?? 0)s, worker burned \(burned)s")
        #expect(played.summary.contains("workers burned"))
    }
}
