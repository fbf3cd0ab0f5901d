import Checks
import ScenarioFormat

/// `summary.md`: one run in Markdown, for a pull request or a CI job's summary page.
///
/// It is written so that a failed nightly can be understood from it alone: the verdict and
/// score first, then one table row per expectation with its evidence, each fault's planned and
/// actual times, and each host's end and last output lines.
public enum MarkdownSummary {
    public static let fileName = "summary.md"

    /// The summary of one run, starting with a level-`level` heading.
    public static func render(_ r: RunReport, level: Int = 2) -> String {
        let h = String(repeating: "#", count: level)
        var out: [String] = []
        out.append("\(h) \(icon(r.verdict)) \(r.verdictLabel) \(r.scenario.name) — \(r.verdictSummary)")
        out.append("")
        if let why = r.skipped {
            out.append("> **SKIPPED: \(cell(why)).** Nothing was run, so nothing was judged.")
            out.append("")
        } else if let why = r.incompleteReason {
            out.append("> **INCOMPLETE: \(why).** The verdicts cover only the part of the run that happened.")
            out.append("")
        }
        if let e = r.setupError {
            out.append("> **Setup failed:** \(cell(e))")
            out.append("")
        }
        var facts = [String]()
        if let s = r.score { facts.append("score **\(s.description)**") }
        facts += ["seed `\(r.seed)`", "run `\(r.runID)`", "started \(r.startedAt)", "faultline \(r.version)", "kernel \(r.machine.kernelDescription)"]
        if let file = r.scenario.file { facts.append("scenario `\(file)`") }
        out.append(facts.joined(separator: " · "))
        out.append("")

        out.append("\(h)# Expectations")
        out.append("")
        if r.expectations.isEmpty {
            out.append("No expectation was judged.")
        } else {
            out.append("| verdict | expectation | kind | window | result | evidence |")
            out.append("|---|---|---|---|---|---|")
            for e in r.expectations {
                out.append("| \(icon(e.verdict)) \(e.verdict.label) | \(cell(e.expectation)) | \(e.kind) | \(e.window.map(\.description) ?? "—") | \(cell(e.summary)) | \(cell(evidence(e))) |")
            }
        }
        out.append("")

        if !r.timeline.isEmpty {
            out.append("\(h)# Faults (planned → actual)")
            out.append("")
            out.append("| fault | kind | where | engine | apply | heal |")
            out.append("|---|---|---|---|---|---|")
            for f in r.timeline { out.append(faultRow(f)) }
            out.append("")
        }

        if !r.hosts.isEmpty {
            out.append("\(h)# Hosts")
            out.append("")
            out.append("| host | address | process | output lines | last line |")
            out.append("|---|---|---|---|---|")
            for host in r.hosts {
                let process = host.exitStatus.map { "\($0) at \(host.exitedAt.map(Format.seconds) ?? "?")" }
                    ?? (host.pid == nil ? "—" : "running")
                let last = host.lastLines.last.map { "`\(code($0))`" } ?? "—"
                out.append("| \(cell(host.name)) | \(host.address ?? "—") | \(process) | \(host.outputLineCount) | \(last) |")
            }
            out.append("")
        }
        let d = r.durations
        out.append("Took: setup \(Format.seconds(d.setup)), timeline \(Format.seconds(d.timeline)), teardown \(Format.seconds(d.teardown)).")
        return out.joined(separator: "\n") + "\n"
    }

    /// `✅`, `❌`, `❔`.
    public static func icon(_ v: Verdict) -> String {
        switch v {
        case .pass: "✅"
        case .fail: "❌"
        case .unknown: "❔"
        }
    }

    /// The evidence as `key value` pairs, sorted by key.
    static func evidence(_ e: CheckResult) -> String {
        e.evidence.keys.sorted().map { "\($0) \(e.evidence[$0]!)" }.joined(separator: ", ")
    }

    static func faultRow(_ f: FaultTimeline) -> String {
        let apply: String
        let heal: String
        if let actual = f.actualApply {
            apply = "\(Format.seconds(f.plannedApply)) → \(Format.seconds(actual))\(delta(f.applyDeltaMS))"
            heal = "\(Format.seconds(f.plannedHeal)) → " + (f.actualHeal.map { Format.seconds($0) + delta(f.healDeltaMS) } ?? "not healed")
        } else {
            apply = "\(Format.seconds(f.plannedApply)) → **never applied**" + (f.failure.map { ": \(cell($0))" } ?? "")
            heal = "—"
        }
        return "| \(cell(f.fault)) | \(f.kind) | \(cell(f.target ?? "—")) | \(f.engine ?? "—") | \(apply) | \(heal) |"
    }

    private static func delta(_ ms: Double?) -> String {
        guard let ms else { return "" }
        return " (\(ms >= 0 ? "+" : "")\(Format.number(ms, decimals: 1)) ms)"
    }

    /// Text safe inside a table cell: no pipes or line breaks, no HTML.
    public static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\n", with: " ")
    }

    /// Text safe inside an inline code span in a table cell.
    private static func code(_ s: String) -> String {
        s.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
