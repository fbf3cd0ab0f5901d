import Checks
import ScenarioFormat

/// The short plain-text summary printed at the end of a run.
///
/// ```
/// checkout-survives-partition: seed 42, run 7f1a2b, faultline 0.1.0, kernel 6.8.0-45-generic
/// faults (planned -> actual):
///   split (partition, fib-rule): apply 5s -> 5.003s (+3ms), heal 10s -> 10.002s (+2ms)
/// expectations:
///   PASS recovers — success 100% (40/40), recovery 0.4s
/// took: setup 1.5s, timeline 20s, teardown 0.25s
/// verdict: PASS — the expectation passed
/// ```
public enum TextSummary {
    public static func render(_ report: RunReport) -> String {
        var out: [String] = []
        out.append("\(report.scenario.name): seed \(report.seed), run \(report.runID), faultline \(report.version), kernel \(report.machine.kernelDescription)")
        if report.interrupted {
            out.append("interrupted" + (report.signal.map { " by \($0)" } ?? ""))
        }
        if let error = report.setupError { out.append("setup failed: \(error)") }
        if let why = report.skipped { out.append("skipped: \(why)") }
        if !report.timeline.isEmpty {
            out.append("faults (planned -> actual):")
            out += report.timeline.map { "  " + line(for: $0) }
        }
        let measured = report.hosts.filter { $0.cpuSeconds != nil }
        if !measured.isEmpty {
            out.append("cpu (cgroup accounting):")
            out += measured.map { h in
                "  \(h.name): \(Format.number(h.cpuSeconds!, decimals: 2))s"
                    + (h.averageCPUPercent.map { ", average \(Format.number($0, decimals: 1))% of one CPU" } ?? "")
            }
        }
        out.append("expectations:")
        if report.expectations.isEmpty { out.append("  (none)") }
        out += report.expectations.map { "  \($0.verdict.label) \($0.expectation) — \($0.summary)" }
        if let stats = report.capture {
            let file = report.files.capture.map { "\($0): " } ?? ""
            out.append(
                "capture: \(file)\(stats.received) packets, \(stats.dropped + stats.interfaceDropped) dropped, "
                    + "\(stats.unparsed) bytes unparsed")
        }
        let d = report.durations
        out.append(
            "took: setup \(Format.seconds(d.setup)), timeline \(Format.seconds(d.timeline)), "
                + "teardown \(Format.seconds(d.teardown))")
        out.append("verdict: \(report.verdictLabel) — \(report.verdictSummary)")
        return out.joined(separator: "\n") + "\n"
    }

    static func line(for f: FaultTimeline) -> String {
        let what = f.engine.map { "\(f.kind), \($0)" } ?? f.kind
        var apply = "apply \(Format.seconds(f.plannedApply)) -> "
        guard let actualApply = f.actualApply else {
            apply += "never applied"
            if let failure = f.failure { apply += " (\(failure))" }
            return "\(f.fault) (\(what)): \(apply)"
        }
        apply += "\(Format.seconds(actualApply))\(delta(f.applyDeltaMS))"
        var heal = "heal \(Format.seconds(f.plannedHeal)) -> "
        if let actualHeal = f.actualHeal {
            heal += "\(Format.seconds(actualHeal))\(delta(f.healDeltaMS))"
        } else {
            heal += "not healed"
        }
        let burned = f.measuredWorkerCPUPercent.map { ", workers burned \(Format.number($0, decimals: 1))% each" } ?? ""
        return "\(f.fault) (\(what)): \(apply), \(heal)\(burned)"
    }

    private static func delta(_ ms: Double?) -> String {
        guard let ms else { return "" }
        return " (\(ms >= 0 ? "+" : "")\(Format.number(ms, decimals: 1))ms)"
    }
}
