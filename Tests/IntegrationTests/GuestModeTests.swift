import Foundation
import Glibc
import Guest
import LinuxSystem
import Netlink
import Testing

/// `faultline run --kernel guest`: a scenario played in the guest kernel (user-mode Linux) from
/// this machine, as a user without root would — the report lands in the user's folder, signals
/// reach the run inside, and nothing outlives a launcher killed with SIGKILL.
@Suite(.serialized, .enabled(if: TopologyFixture.isRoot, "needs root: switches to an unprivileged user to prove guest mode needs none"),
       .enabled(if: GuestMarker.current == nil, "already inside the guest kernel"),
       .enabled(if: (try? GuestKernel.locate().get()) != nil, "needs Debian's user-mode-linux (scripts/setup.sh installs it)"))
struct GuestModeTests {
    static let nobody: uid_t = 65534

    /// 60 ms each way between client and api from t = 0: a TCP connect needs a 120 ms round
    /// trip, so an 80 ms connect timeout always expires (netem in the guest kernel).
    static let slowScenario = """
        scenario: guest-mode
        duration: 3s
        hosts:
          api:
            service: http
            port: 8080
            routes:
              - path: /
                respond: { status: 200, body: ok }
          client: { run: "sleep 600" }
        faults:
          - name: slow
            at: 0s
            link: { between: [client, api], delay: 60ms }
        expect:
          - name: connects take the delayed round trip
            during: slow
            probe: { from: client, tcp: "api:8080", every: 200ms, timeout: 80ms, success: "<= 5%" }
        """

    /// A folder owned by `nobody` holding a copy of the binary (the build folder may sit under
    /// a home folder others cannot enter) and the scenario.
    static func userFolder() throws -> (dir: URL, binary: String) {
        let dir = try RunCommandTests.workspace(["guest.yaml": slowScenario])
        let binary = dir.appendingPathComponent("faultline").path
        try FileManager.default.copyItem(atPath: RunCommandTests.binary, toPath: binary)
        for path in [dir.path, binary, dir.appendingPathComponent("guest.yaml").path] { chown(path, nobody, nobody) }
        return (dir, binary)
    }

    @Test func anUnprivilegedUserRunsAScenarioOnNetemAndGetsTheReport() throws {
        let (dir, binary) = try Self.userFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try RunCommandTests.faultline(
            ["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", "env", "HOME=\(dir.path)",
             binary, "run", "guest.yaml", "--kernel", "guest", "--guest-memory", "1024"],
            in: dir, executable: "/usr/bin/setpriv")
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stderr.contains("guest: user-mode Linux"), "\(run.stderr)")
        let report = try RunCommandTests.report(in: dir)
        #expect(report["verdict"] as? String == "pass", "\(run.stdout)")
        #expect((report["engines"] as? [String: String])?["slow"] == "netem")
        let machine = try #require(report["machine"] as? [String: Any])
        #expect((machine["guest"] as? String)?.hasPrefix("user-mode Linux") == true)
        // Written by the guest as the user: owned by nobody, in nobody's folder.
        let reports = dir.appendingPathComponent("reports").path
        let owner = try FileManager.default.attributesOfItem(atPath: reports)[.ownerAccountID] as? NSNumber
        #expect(owner?.uint32Value == Self.nobody)
    }

    /// The launcher started from `dir`, and its output so far.
    static func launch(_ dir: URL) throws -> SpawnedChild {
        try Spawn.start([RunCommandTests.binary, "run", "guest.yaml", "--kernel", "guest", "--guest-memory", "1024"],
                        env: ProcessInfo.processInfo.environment, directory: dir.path)
    }

    /// Waits (up to 60 s: the guest boots first) until the run inside has reached t = 0.
    static func waitForTimeline(_ dir: URL) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            usleep(100_000)
            let e = FileManager.default.enumerator(at: dir.appendingPathComponent("reports"), includingPropertiesForKeys: nil)
            if let h = (e?.allObjects as? [URL])?.first(where: { $0.lastPathComponent == "history.jsonl" }),
               let text = try? String(contentsOf: h, encoding: .utf8), text.contains("\"fault.applied\"") { return true }
        }
        return false
    }

    static func longScenario(_ dir: URL) throws {
        try slowScenario.replacingOccurrences(of: "duration: 3s", with: "duration: 60s")
            .write(to: dir.appendingPathComponent("guest.yaml"), atomically: true, encoding: .utf8)
    }

    @Test func sigintReachesTheRunInsideTheGuestWhichReportsItselfInterrupted() throws {
        let dir = try RunCommandTests.workspace([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.longScenario(dir)
        let child = try Self.launch(dir)
        defer { child.stderr.map { _ = close($0) } }
        #expect(Self.waitForTimeline(dir))
        kill(child.pid, SIGINT)
        let stdout = try RunCommandTests.readAll(#require(child.stdout))
        #expect(Spawn.wait(child.pid) == .exited(130), "\(stdout)")
        let report = try RunCommandTests.report(in: dir)
        #expect(report["interrupted"] as? Bool == true)
        #expect(report["signal"] as? String == "SIGINT")
    }

    @Test func aLauncherKilledBySIGKILLTakesItsGuestAlongAndCleanupRemovesItsSession() throws {
        let dir = try RunCommandTests.workspace([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.longScenario(dir)
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: GuestSession.root)) ?? [])
        let child = try Self.launch(dir)
        defer { [child.stdout, child.stderr].forEach { $0.map { _ = close($0) } } }
        #expect(Self.waitForTimeline(dir))
        let sessions = Set((try? FileManager.default.contentsOfDirectory(atPath: GuestSession.root)) ?? []).subtracting(before)
        let session = try #require(sessions.first, "no session folder appeared under \(GuestSession.root)")
        kill(child.pid, SIGKILL)
        _ = Spawn.wait(child.pid)
        // The keeper ends the guest kernel's whole process group when its launcher dies.
        let marker = "uml_dir=\(GuestSession.root)/\(session)/uml"
        let deadline = Date().addingTimeInterval(10)
        var alive = Self.processes(withArgument: marker)
        while !alive.isEmpty && Date() < deadline {
            usleep(100_000)
            alive = Self.processes(withArgument: marker)
        }
        #expect(alive.isEmpty, "guest kernel processes left: \(alive)")
        let cleanup = try RunCommandTests.faultline(["cleanup"], in: dir)
        #expect(cleanup.stdout.contains("guest session \(session)"), "\(cleanup.stdout)")
        #expect(!FileManager.default.fileExists(atPath: "\(GuestSession.root)/\(session)"))
    }

    static func processes(withArgument argument: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == argument }
        }
    }

    @Test func anInvalidScenarioIsRefusedBeforeTheGuestBoots() throws {
        let dir = try RunCommandTests.workspace(["bad.yaml": "scenario: bad\nduration: soon\nhosts: {}\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = (try? FileManager.default.contentsOfDirectory(atPath: GuestSession.root)) ?? []
        let run = try RunCommandTests.faultline(["run", "bad.yaml", "--kernel", "guest"], in: dir)
        #expect(run.status == 2)
        #expect(run.stderr.contains("bad.yaml:2:"), "\(run.stderr)")
        // Refused on the host: no guest session was made, no guest booted.
        #expect(!run.stderr.contains("guest: user-mode Linux"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: GuestSession.root)) ?? []) == before)
    }
}
