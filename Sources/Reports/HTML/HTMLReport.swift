import Checks
import RunHistory
import ScenarioFormat

/// `report.html`: one self-contained page (inline SVG, CSS and a few lines of script, nothing
/// fetched) to diagnose a run without rerunning it: the verdict, a timeline of faults, traffic,
/// probes and processes, the expectations (each row shows its window on the timeline), faults,
/// hosts and the scenario file itself.
public enum HTMLReport {
    public static let fileName = "report.html"

    /// - Parameter scenarioSource: the scenario file's text as it was run, if known.
    public static func render(_ r: RunReport, events: [Event], scenarioSource: String?) -> String {
        let lanes = TimelineLanes(report: r, events: events)
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        out += "<title>\(e(r.scenario.name)) — \(r.verdictLabel) — faultline</title><style>\(HTMLAssets.css)</style></head>\n<body>\n"
        out += "<h1><span class=\"verdict v-\(r.verdict.rawValue)\">\(r.verdictLabel)</span> \(e(r.scenario.name))</h1>\n"
        out += "<p>\(e(r.verdictSummary))\(r.score.map { " · score <b>\(e($0.description))</b>" } ?? "")</p>\n"
        if let why = r.skipped {
            out += "<div class=\"banner\" id=\"skipped\">SKIPPED: \(e(why)). Nothing was run, so nothing was judged.</div>\n"
        } else if let why = r.incompleteReason {
            out += "<div class=\"banner\" id=\"incomplete\">INCOMPLETE: \(e(why)). The verdicts cover only the part of the run that happened.</div>\n"
        }
        if let err = r.setupError { out += "<div class=\"banner\">Setup failed: \(e(err))</div>\n" }
        var facts = ["seed <code>\(r.seed)</code>", "run <code>\(e(r.runID))</code>", "started \(e(r.startedAt))",
                     "faultline \(e(r.version))", "kernel \(e(r.machine.kernelDescription))"]
        if let d = r.scenario.description { facts.insert(e(d), at: 0) }
        out += "<p class=\"facts\">\(facts.joined(separator: " · "))</p>\n"

        out += "<h2>Timeline</h2>\n<div class=\"legend\">"
        for (tone, text) in [("#8250df", "fault applied (dashed: planned)"), ("#1f883d", "ok / established / 2xx"),
                             ("#d4a72c", "retransmit / 4xx / stderr"), ("#cf222e", "failed / refused / reset / 5xx"),
                             ("#2563eb", "request / ready"), ("#8c959f", "attempt / output / other")] {
            out += "<span><i class=\"dot\" style=\"background:\(tone)\"></i>\(text)</span>"
        }
        out += "</div>\n<div id=\"timeline\">\(TimelineSVG.render(lanes, expectations: r.expectations))</div>\n"
        out += "<p class=\"facts\">Hover a mark for its detail; click an expectation to show its window.</p>\n"

        out += "<h2>Expectations</h2>\n" + expectationTable(r)
        if !r.timeline.isEmpty { out += "<h2>Faults (planned → actual)</h2>\n" + faultTable(r) }
        if !r.hosts.isEmpty { out += "<h2>Hosts</h2>\n" + hostTable(r) }
        if let source = scenarioSource {
            out += "<h2>Scenario</h2>\n<details open><summary>\(e(r.scenario.file ?? "scenario"))</summary><pre id=\"scenario\">\(e(source))</pre></details>\n"
        }
        out += "<script>\(HTMLAssets.script)</script>\n</body></html>\n"
        return out
    }

    private static func expectationTable(_ r: RunReport) -> String {
        guard !r.expectations.isEmpty else { return "<p>No expectation was judged.</p>\n" }
        var out = "<table id=\"expectations\"><tr><th>verdict</th><th>expectation</th><th>kind</th><th>window</th><th>result</th><th>evidence</th></tr>\n"
        for (i, x) in r.expectations.enumerated() {
            let attr = x.window == nil ? "" : " data-window=\"win-\(i)\""
            let evidence = x.evidence.keys.sorted().map { "\(e($0)) <b>\(e(x.evidence[$0]!.description))</b>" }
                + x.events.map { "\(e($0.label)) at \(Format.seconds($0.t))" }
            out += "<tr class=\"expectation\"\(attr)><td><span class=\"verdict v-\(x.verdict.rawValue)\">\(x.verdict.label)</span></td>"
            out += "<td>\(e(x.expectation))</td><td>\(e(x.kind))</td><td>\(x.window.map { e($0.description) } ?? "—")</td>"
            out += "<td>\(e(x.summary))</td><td class=\"ev\">\(evidence.joined(separator: " · "))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    private static func faultTable(_ r: RunReport) -> String {
        var out = "<table id=\"faults\"><tr><th>fault</th><th>kind</th><th>where</th><th>engine</th><th>planned → actual</th></tr>\n"
        for f in r.timeline {
            out += "<tr><td>\(e(f.fault))</td><td>\(e(f.kind))</td><td>\(e(f.target ?? "—"))</td><td>\(e(f.engine ?? "—"))</td>"
            out += "<td>\(e(TextSummary.line(for: f)))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    private static func hostTable(_ r: RunReport) -> String {
        var out = "<table id=\"hosts\"><tr><th>host</th><th>address</th><th>command</th><th>end</th><th>last output</th></tr>\n"
        for h in r.hosts {
            let end = h.exitStatus.map { "\($0) at \(h.exitedAt.map(Format.seconds) ?? "?")" } ?? (h.pid == nil ? "—" : "running")
            out += "<tr><td>\(e(h.name))</td><td>\(e(h.address ?? "—"))</td><td><code>\(e(h.command ?? "—"))</code></td>"
            out += "<td>\(e(end))</td><td><pre>\(e(h.lastLines.joined(separator: "\n")))</pre></td></tr>\n"
        }
        return out + "</table>\n"
    }

    private static func e(_ s: String) -> String { XMLText.escape(s) }
}
