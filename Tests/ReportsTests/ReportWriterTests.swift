import Foundation
import Reports
import Testing

@Suite struct ReportWriterTests {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    @Test func writesReportJSONAndLeavesNoTemporaryFile() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let report = Fixtures.report()
        let dir = root.appendingPathComponent("run")
        let url = try ReportWriter.write(report, to: dir)
        #expect(url == dir.appendingPathComponent("report.json"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report.json"])
        #expect(try ReportWriter.read(from: url) == report)
    }

    @Test func rewritingReplacesTheWholeFile() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        var report = Fixtures.report()
        try ReportWriter.write(report, to: root)
        report.runID = "second"
        report.hosts = []
        let url = try ReportWriter.write(report, to: root)
        #expect(try ReportWriter.read(from: url) == report)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["report.json"])
    }

    @Test func failureNamesTheOperationAndThePath() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("not-a-dir")
        try Data("x".utf8).write(to: file)
        #expect(throws: ReportWriteError.self) { try ReportWriter.write(Fixtures.report(), to: file) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["not-a-dir"])
    }

    @Test func runFolderIsScenarioThenTimestampAndRunID() {
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = ReportWriter.directory(
            reportsRoot: URL(fileURLWithPath: "/var/reports"), scenario: "checkout/partition",
            startedAt: Date(timeIntervalSince1970: 1_795_000_000), runID: "7f1a2b",
            timeZone: TimeZone(identifier: "UTC")!)
        #expect(dir.path == "/var/reports/checkout-partition/20261118-110640-7f1a2b")
        #expect(dir.hasDirectoryPath)
    }
}
