import Foundation
import ScenarioFormat

/// Writes `report.json` and names the folder a run's files go in.
public enum ReportWriter {
    public static let fileName = "report.json"

    /// Writes `<directory>/report.json` atomically (see ``AtomicFile``), creating the directory
    /// if needed, and returns the file's URL.
    @discardableResult
    public static func write(_ report: RunReport, to directory: URL) throws -> URL {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportWriteError(operation: "creating directory", path: directory.path, reason: "\(error)")
        }
        let url = directory.appendingPathComponent(fileName)
        try AtomicFile.write(try encode(report), to: url)
        return url
    }

    /// The report as `report.json` holds it: pretty-printed, keys sorted, ending in a newline.
    public static func encode(_ report: RunReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(report)
        data.append(0x0A)
        return data
    }

    /// Reads a report written by ``write(_:to:)``.
    public static func read(from url: URL) throws -> RunReport {
        try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: url))
    }

    /// `<reportsRoot>/<scenario>/<yyyyMMdd-HHmmss>-<runID>/`, the time in `timeZone` (local by default).
    ///
    /// A `/` in the scenario name becomes `-` so the name stays one folder.
    public static func directory(
        reportsRoot: URL, scenario: String, startedAt: Date, runID: String, timeZone: TimeZone = .current
    ) -> URL {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.calendar = Calendar(identifier: .gregorian)
        f.timeZone = timeZone
        f.dateFormat = "yyyyMMdd-HHmmss"
        let folder = scenario.replacingOccurrences(of: "/", with: "-")
        return reportsRoot
            .appendingPathComponent(folder, isDirectory: true)
            .appendingPathComponent("\(f.string(from: startedAt))-\(runID)", isDirectory: true)
    }
}
