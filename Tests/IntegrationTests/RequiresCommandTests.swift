import Foundation
import Testing

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
