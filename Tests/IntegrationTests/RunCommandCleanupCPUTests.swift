import Foundation
import Glibc
import LinuxSystem
import Netlink
import Testbed
import Testing

extension RunCommandTests {
    /// A run killed while a host is SIGSTOPped and stress workers burn: `faultline cleanup` resumes
    /// and ends them all and removes the run's cgroups along with its namespaces.
    @Test(.enabled(if: CgroupSupport.controller != nil, "needs a cgroup cpu controller"))
    func sigkillWithAPausedHostAndStressWorkersThenCleanupLeavesNothing() throws {
        let dir = try Self.workspace([
            "s.yaml": """
                scenario: frozen
                duration: 60s
                hosts:
                  leader: { run: "while true; do echo tick; sleep 0.1; done", ready: "log:tick" }
                  client: { run: "sleep 600" }
                faults:
                  - { name: freeze, at: 300ms, process: { host: leader, action: pause } }
                  - { name: busy, at: 300ms, cpu: { host: client, load: 30%, workers: 2 } }
                """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let child = try Spawn.start(
            [Self.binary, "run", "s.yaml", "--reports", "reports", "--quiet"],
            env: ProcessInfo.processInfo.environment, directory: dir.path, capture: false)
        let (runID, applied) = try Self.waitForAppliedFaults(2, in: dir)
        #expect(applied == 2)
        let controller = try #require(CgroupSupport.controller)
        let groups = ["leader", "client"].flatMap { controller.directories(of: "faultline/\(runID)/\($0)") }
        let inGroups = groups.flatMap { CgroupCleanup.processes(in: $0) }
        // The leader's shell, the client's sleep and the stress worker, at least.
        #expect(Set(inGroups).count >= 3)
        let stopped = inGroups.filter { pid in
            (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") T ") == true
        }
        #expect(!stopped.isEmpty, "the paused leader should be stopped")

        kill(child.pid, SIGKILL)
        #expect(Spawn.wait(child.pid) == .signaled(SIGKILL))
        // The groups outlive the run …
        #expect(groups.allSatisfy { FileManager.default.fileExists(atPath: $0) })

        let cleanup = try Self.faultline(["cleanup"], in: dir)
        #expect(cleanup.status == 0, "\(cleanup.stdout)\n\(cleanup.stderr)")
        #expect(cleanup.stdout.contains("cgroup"))
        // … and cleanup leaves no process of theirs (paused or burning), no cgroup, no namespace.
        for pid in Set(inGroups) { #expect(!Reaper.isLive(pid), "pid \(pid) still runs") }
        for dir in groups + controller.directories(of: "faultline/\(runID)") {
            #expect(!FileManager.default.fileExists(atPath: dir), "\(dir) left behind")
        }
        #expect(NetworkNamespace.list(prefix: "fl-\(runID)-").isEmpty)
    }
}
