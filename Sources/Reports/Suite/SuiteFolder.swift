import Foundation

/// Writes a suite's folder: `suite.json`, `junit.xml` (one testsuite per run), `summary.md` and
/// `index.html` linking each run's page.
public enum SuiteFolder {
    /// `<reportsRoot>/suite-<yyyyMMdd-HHmmss>/`, the time in `timeZone`.
    public static func directory(reportsRoot: URL, startedAt: Date, timeZone: TimeZone = .current) -> URL {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = timeZone
        f.dateFormat = "yyyyMMdd-HHmmss"
        return reportsRoot.appendingPathComponent("suite-\(f.string(from: startedAt))", isDirectory: true)
    }

    /// Writes every file; `reports` are the runs' reports in the suite's order.
    public static func write(_ suite: SuiteReport, reports: [RunReport], to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportWriteError(operation: "creating directory", path: directory.path, reason: "\(error)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var json = try encoder.encode(suite)
        json.append(0x0A)
        let runs = zip(suite.runs, reports).map { (name: suite.name(of: $0.0), report: $0.1) }
        let files: [(String, Data)] = [
            (SuiteReport.fileName, json),
            (JUnitReport.fileName, Data(JUnitReport.render(runs, name: "faultline suite").utf8)),
            (MarkdownSummary.fileName, Data(SuiteSummary.markdown(suite, reports: reports).utf8)),
            (SuiteSummary.indexFileName, Data(SuiteSummary.html(suite).utf8)),
        ]
        for (name, data) in files { try AtomicFile.write(data, to: directory.appendingPathComponent(name)) }
    }

    /// Reads a `suite.json`.
    public static func read(from url: URL) throws -> SuiteReport {
        try JSONDecoder().decode(SuiteReport.self, from: Data(contentsOf: url))
    }
}
