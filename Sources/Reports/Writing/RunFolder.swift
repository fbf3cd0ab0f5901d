import Foundation
import RunHistory

/// Writes every file of a run folder from the report and the history: `report.json`,
/// `junit.xml`, `summary.md`, `report.html` and, when given, `scenario.yaml`.
public enum RunFolder {
    /// Writes each file atomically and returns the report with ``RunReport/files`` naming them.
    /// A file that cannot be written is reported in the error; the others are still written.
    @discardableResult
    public static func write(
        _ report: RunReport, events: [Event], scenarioSource: String?, to directory: URL
    ) throws -> RunReport {
        var report = report
        report.files.junit = JUnitReport.fileName
        report.files.summary = MarkdownSummary.fileName
        report.files.html = HTMLReport.fileName
        if scenarioSource != nil { report.files.scenario = ReportFiles.standard.scenario }
        var failures: [String] = []
        // report.json first: it is the file every other tool reads.
        do { try ReportWriter.write(report, to: directory) } catch { failures.append("\(error)") }
        var files: [(String, String)] = [
            (JUnitReport.fileName, JUnitReport.render(report)),
            (MarkdownSummary.fileName, MarkdownSummary.render(report)),
            (HTMLReport.fileName, HTMLReport.render(report, events: events, scenarioSource: scenarioSource)),
        ]
        if let scenarioSource, let name = report.files.scenario { files.append((name, scenarioSource)) }
        for (name, text) in files {
            do { try AtomicFile.write(Data(text.utf8), to: directory.appendingPathComponent(name)) } catch {
                failures.append("\(error)")
            }
        }
        if !failures.isEmpty {
            throw ReportWriteError(operation: "writing the run folder", path: directory.path, reason: failures.joined(separator: "; "))
        }
        return report
    }
}
