import Foundation
import Testing

/// The tools the etcd incidents need, as `scripts/setup.sh` installs them.
enum EtcdTools {
    static let installed = ["/usr/bin/etcd", "/usr/bin/etcdctl", "/usr/lib/python3/dist-packages/etcd3"]
        .allSatisfy { FileManager.default.fileExists(atPath: $0) }
}

/// The etcd incidents of the library, on real etcd 3.4 members. Without the packages the test is
/// skipped here, and `faultline run` reports these scenarios as skipped (their `requires:`), which
/// `RequiresCommandTests` proves.
extension LibraryScenarioTests {
    static let etcdCases: [Case] = [
        Case(file: "etcd-leader-freeze.yaml", failing: []),
        Case(file: "etcd-leader-freeze-broken.yaml", failing: [
            "writes go on while the leader is frozen", "never stalls behind a frozen member",
        ]),
        Case(file: "etcd-fallback-registrar.yaml", failing: []),
        Case(file: "etcd-fallback-registrar-broken.yaml", failing: [
            "registered in the primary again after its return", "fallback registration withdrawn after the return",
        ]),
    ]

    @Test(.enabled(if: EtcdTools.installed, "needs etcd-server, etcd-client and python3-etcd3 (scripts/setup.sh)"),
          arguments: etcdCases)
    func etcdVerdictIsAsDesigned(_ c: Case) throws {
        try verdictIsAsDesigned(c)
    }
}

/// `requires:` through the real binary: a missing tool skips the run before anything is built,
/// exits 0 and says so, with the package, in every report.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: faultline run"))
struct RequiresCommandTests {
    @Test func aScenarioWhoseToolIsMissingIsSkipped() throws {
        let dir = try RunCommandTests.workspace([
            "needs.yaml": """
                scenario: needs-a-tool
                duration: 5s
                requires:
                  - { command: fl-no-such-tool, package: fl-no-such-package }
                hosts:
                  client: { run: "fl-no-such-tool" }
                expect:
                  - name: the tool runs
                    process: { host: client, running: true }
                """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try RunCommandTests.faultline(["run", "needs.yaml", "--reports", "reports"], in: dir)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let why = "needs command fl-no-such-tool (package fl-no-such-package), not found; install: apt-get install fl-no-such-package"
        #expect(run.stdout.contains("verdict: SKIPPED — skipped: \(why)"), "\(run.stdout)")
        #expect(!run.stdout.contains("testbed"), "nothing is built: \(run.stdout)")
        let report = try RunCommandTests.report(in: dir)
        #expect(report["skipped"] as? String == why)
        #expect(report["verdict"] as? String == "unknown")
        let files = FileManager.default.enumerator(at: dir.appendingPathComponent("reports"), includingPropertiesForKeys: nil)?
            .allObjects as? [URL] ?? []
        let folder = try #require(files.first { $0.lastPathComponent == "report.json" }?.deletingLastPathComponent())
        let junit = try String(contentsOf: folder.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(junit.contains(#"<skipped message="\#(why)"/>"#))
        let summary = try String(contentsOf: folder.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(summary.contains("SKIPPED: \(why)"))
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("SKIPPED: \(why)"))
    }
}
