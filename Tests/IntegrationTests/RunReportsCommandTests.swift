import Foundation
import Glibc
import Testing

/// `faultline run FOLDER --repeat 2 --junit --json` and `faultline report diff` through the real
/// binary: every run folder holds every report file, the suite folder is written, seeds differ.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"), .serialized)
struct RunReportsCommandTests {
    @Test func folderRunWithRepeatsWritesRunAndSuiteReports() throws {
        let scenario = RunCommandTests.scenario(client: "while :; do curl -s -m 1 -o /dev/null http://api:8080/; sleep 0.2; done")
        let dir = try RunCommandTests.workspace(["step.md": "before\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("suite"), withIntermediateDirectories: true)
        try scenario.replacingOccurrences(of: "scenario: short-partition", with: "scenario: short-partition\nseed: 7")
            .write(to: dir.appendingPathComponent("suite/a.yaml"), atomically: true, encoding: .utf8)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: RunCommandTests.binary)
        p.arguments = ["run", "suite", "--repeat", "2", "--reports", "reports", "--junit", "out.xml", "--json"]
        p.currentDirectoryURL = dir
        p.environment = ProcessInfo.processInfo.environment.merging(["GITHUB_STEP_SUMMARY": dir.appendingPathComponent("step.md").path]) { $1 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(stdout.suffix(2000))")

        // --json: every stdout line is one JSON object; one result per run.
        let objects = stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == stdout.split(separator: "\n").count)
        #expect(objects.contains { $0["type"] as? String == "fault.applied" })
        let results = objects.filter { $0["type"] as? String == "result" }
        #expect(results.count == 2)

        let runFolders = try results.map { try #require($0["report"] as? String) }.map { URL(fileURLWithPath: $0).deletingLastPathComponent() }
        var seeds: [UInt64] = []
        for folder in runFolders {
            let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
            // capture.pcap too when the machine can capture.
            #expect(files.isSuperset(of: ["history.jsonl", "junit.xml", "report.html", "report.json", "scenario.yaml", "summary.md"]))
            let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("report.json"))) as? [String: Any])
            seeds.append(try #require((report["seed"] as? NSNumber)?.uint64Value))
        }
        #expect(seeds == [7, 8])

        let suites = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("reports").path).filter { $0.hasPrefix("suite-") }
        let suite = dir.appendingPathComponent("reports").appendingPathComponent(try #require(suites.first))
        #expect(try FileManager.default.contentsOfDirectory(atPath: suite.path).sorted() == ["index.html", "junit.xml", "suite.json", "summary.md"])
        let junit = try String(contentsOf: dir.appendingPathComponent("out.xml"), encoding: .utf8)
        #expect(junit.components(separatedBy: "<testsuite ").count - 1 == 2)
        let step = try String(contentsOf: dir.appendingPathComponent("step.md"), encoding: .utf8)
        #expect(step.hasPrefix("before\n# ✅ Faultline suite: PASS"))

        let diff = try RunCommandTests.faultline(["report", "diff", runFolders[0].path, runFolders[1].path, "--markdown"], in: dir)
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout.hasPrefix("## ✅ No regression"))
        let broken = try RunCommandTests.faultline(["report", "diff", runFolders[0].path, suite.path], in: dir)
        #expect(broken.status == 2)
    }
}
