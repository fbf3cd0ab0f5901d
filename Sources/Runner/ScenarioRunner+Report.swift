import Checks
import Foundation
import Reports
import RunHistory
import ScenarioFormat

extension ScenarioRunner {
    /// Judges the expectations from the history, writes the report and picks the outcome.
    ///
    /// The run folder gets every report file (``RunFolder``): JSON, JUnit, Markdown, HTML and a
    /// copy of the scenario file as it was read at the start.
    func finish(startedAt: Date, reportDir: URL, setupError: String?, skipped: String?, scenarioSource: String?) -> RunResult {
        let events = history.events
        let timings = state.withLock { $0.timings }
        let interrupted = interruption.signal
        // A run that never reached its timeline has nothing to judge.
        let results = setupError == nil && skipped == nil ? Checker.evaluate(scenario: scenario, history: events) : []
        var context = ReportContext(
            runID: runID, startedAt: startedAt, machine: MachineFacts.current(),
            addresses: addressMap.mapValues(\.description),
            durations: ReportDurations(setup: timings.setup, timeline: timings.timeline, teardown: timings.teardown),
            interruptedBy: interrupted, historyFile: "history.jsonl")
        context.setupError = setupError
        context.skipped = skipped
        context.captureFile = captureFileForReport
        var report = ReportBuilder.build(scenario: scenario, history: events, results: results, context: context)
        do {
            report = try RunFolder.write(report, events: events, scenarioSource: scenarioSource, to: reportDir)
        } catch {
            progress("error: writing the report: \(error)")
        }
        let json = reportDir.appendingPathComponent(ReportWriter.fileName)
        let reportFile = FileManager.default.fileExists(atPath: json.path) ? json : nil
        let outcome: RunOutcome
        let overall = Checker.overall(results)
        var summary = TextSummary.render(report)
        if let skipped {
            outcome = .skipped(skipped)
        } else if let interrupted {
            outcome = .interrupted(signal: interrupted)
        } else if let setupError {
            outcome = .setupFailed(setupError)
        } else {
            outcome = VerdictExpectation.outcome(overall: overall, expected: scenario.expectedVerdict)
            if let note = VerdictExpectation.note(overall: overall, expected: scenario.expectedVerdict) {
                summary += (summary.hasSuffix("\n") ? "" : "\n") + note
            }
        }
        return RunResult(
            outcome: outcome, runID: runID, reportDirectory: reportDir, reportFile: reportFile,
            summary: summary, report: report)
    }
}
