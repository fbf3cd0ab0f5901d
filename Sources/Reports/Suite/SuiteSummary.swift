import Checks
import Foundation

/// The suite's `summary.md` and `index.html`: every run at a glance, pass rates across repeats,
/// and the full Markdown summary of each run that did not pass, so a failed nightly reads from
/// the summary alone.
public enum SuiteSummary {
    public static let indexFileName = "index.html"

    public static func markdown(_ suite: SuiteReport, reports: [RunReport]) -> String {
        var out: [String] = []
        out.append("# \(MarkdownSummary.icon(suite.verdict)) Faultline suite: \(suite.verdict.label) — \(suite.verdictSummary)")
        out.append("")
        if !suite.complete {
            out.append("> **INCOMPLETE:** the suite stopped before every run finished; the verdicts cover only what ran.")
            out.append("")
        }
        out.append("Score **\(suite.score.description)** · started \(suite.startedAt) · faultline \(suite.version)")
        out.append("")
        out.append("| run | verdict | score | seed | run id | summary |")
        out.append("|---|---|---|---|---|---|")
        for run in suite.runs {
            let incomplete = run.complete || run.skipped != nil ? "" : " (incomplete)"
            out.append("| \(MarkdownSummary.cell(suite.name(of: run))) | \(MarkdownSummary.icon(run.verdict)) \(run.verdictLabel)\(incomplete) | \(run.score?.value.map { Format.number($0, decimals: 1) } ?? "n/a") | \(run.seed) | `\(run.runID)` | \(MarkdownSummary.cell(run.verdictSummary)) |")
        }
        out.append("")
        let repeated = suite.scenarios.filter { $0.runs > 1 }
        if !repeated.isEmpty {
            out.append("## Pass rates across repeats")
            out.append("")
            out.append("| scenario | expectation | passed | pass rate | |")
            out.append("|---|---|---|---|---|")
            for s in repeated {
                for e in s.expectations {
                    out.append("| \(MarkdownSummary.cell(s.scenario)) | \(MarkdownSummary.cell(e.expectation)) | \(e.passed)/\(e.runs) | \(Format.percent(e.passRate)) | \(e.isFlaky ? "⚠️ flaky" : "") |")
                }
            }
            out.append("")
        }
        for (run, report) in zip(suite.runs, reports) where run.verdict != .pass || !run.complete {
            out.append(MarkdownSummary.render(report, level: 2).replacingOccurrences(
                of: "## \(MarkdownSummary.icon(report.verdict)) \(report.verdictLabel) \(report.scenario.name) —",
                with: "## \(MarkdownSummary.icon(report.verdict)) \(report.verdictLabel) \(suite.name(of: run)) —"))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// `index.html`: a self-contained page linking each run's `report.html`.
    public static func html(_ suite: SuiteReport) -> String {
        func e(_ s: String) -> String { XMLText.escape(s) }
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>faultline suite — \(suite.verdict.label)</title>"
        out += "<style>\(HTMLAssets.css)</style></head>\n<body data-ready=\"yes\">\n"
        out += "<h1><span class=\"verdict v-\(suite.verdict.rawValue)\">\(suite.verdict.label)</span> Faultline suite</h1>\n"
        out += "<p>\(e(suite.verdictSummary)) · score <b>\(e(suite.score.description))</b> · started \(e(suite.startedAt))</p>\n"
        if !suite.complete { out += "<div class=\"banner\">INCOMPLETE: the suite stopped before every run finished.</div>\n" }
        out += "<table id=\"runs\"><tr><th>run</th><th>verdict</th><th>score</th><th>seed</th><th>summary</th><th>expectations</th></tr>\n"
        for run in suite.runs {
            let link = "\(run.directory)/\(HTMLReport.fileName)"
            let expectations = run.expectations.map { "<span class=\"verdict v-\($0.verdict.rawValue)\" title=\"\(e($0.summary))\">\(e($0.expectation))</span>" }
            out += "<tr><td><a href=\"\(e(link))\">\(e(suite.name(of: run)))</a>\(run.complete || run.skipped != nil ? "" : " (incomplete)")</td>"
            out += "<td><span class=\"verdict v-\(run.verdict.rawValue)\">\(run.verdictLabel)</span></td>"
            out += "<td>\(run.score?.value.map { Format.number($0, decimals: 1) } ?? "n/a")</td><td>\(run.seed)</td>"
            out += "<td>\(e(run.verdictSummary))</td><td>\(expectations.joined(separator: " "))</td></tr>\n"
        }
        out += "</table>\n</body></html>\n"
        return out
    }
}
