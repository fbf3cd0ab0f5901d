import Checks
import Foundation

/// What changed between two runs or two suites: verdicts that moved, evidence that moved, pass
/// rates and scores. A regression (pass → fail or unknown, a lower pass rate or score) makes
/// `faultline report diff` exit 1.
public struct ReportDiff: Sendable, Equatable {
    public enum Direction: String, Sendable { case regressed, improved, changed, added, removed }

    /// One difference, in words: `recovers: recoverySeconds 0.8s → 2.3s`.
    public struct Change: Sendable, Equatable {
        public var direction: Direction
        public var subject: String
        public var detail: String
    }

    public var title: String
    public var changes: [Change]
    public var hasRegression: Bool { changes.contains { $0.direction == .regressed } }

    /// Numeric evidence counts as moved when it changed by at least this fraction (10 %)…
    public static let relativeThreshold = 0.10
    /// …and, for times (keys ending in `Seconds`), by at least 10 ms: below that is scheduling noise.
    public static let secondsThreshold = 0.010

    public static func compare(_ old: RunReport, _ new: RunReport) -> ReportDiff {
        var changes: [Change] = []
        let oldByName = Dictionary(old.expectations.map { ($0.expectation, $0) }, uniquingKeysWith: { a, _ in a })
        for n in new.expectations {
            guard let o = oldByName[n.expectation] else {
                changes.append(Change(direction: .added, subject: n.expectation, detail: "new expectation: \(n.verdict.label) — \(n.summary)"))
                continue
            }
            if o.verdict != n.verdict {
                changes.append(Change(
                    direction: rank(n.verdict) < rank(o.verdict) ? .regressed : .improved, subject: n.expectation,
                    detail: "\(o.verdict.label) → \(n.verdict.label): \(n.summary)"))
            }
            changes += evidenceChanges(o, n)
        }
        for o in old.expectations where !new.expectations.contains(where: { $0.expectation == o.expectation }) {
            changes.append(Change(direction: .removed, subject: o.expectation, detail: "no longer judged (was \(o.verdict.label))"))
        }
        changes += scoreChange(old.score?.value, new.score?.value, subject: "score")
        if old.incompleteReason == nil, let why = new.incompleteReason {
            changes.append(Change(direction: .regressed, subject: "run", detail: "incomplete: \(why)"))
        }
        return ReportDiff(title: "\(new.scenario.name): run \(old.runID) → \(new.runID)", changes: changes)
    }

    public static func compare(_ old: SuiteReport, _ new: SuiteReport) -> ReportDiff {
        var changes: [Change] = []
        for n in new.scenarios {
            guard let o = old.scenarios.first(where: { $0.scenario == n.scenario }) else {
                changes.append(Change(direction: .added, subject: n.scenario, detail: "new scenario"))
                continue
            }
            for ne in n.expectations {
                let subject = "\(n.scenario) / \(ne.expectation)"
                guard let oe = o.expectations.first(where: { $0.expectation == ne.expectation }) else {
                    changes.append(Change(direction: .added, subject: subject, detail: "new expectation: passed \(ne.passed)/\(ne.runs)"))
                    continue
                }
                if abs(oe.passRate - ne.passRate) > 1e-9 {
                    changes.append(Change(
                        direction: ne.passRate < oe.passRate ? .regressed : .improved, subject: subject,
                        detail: "pass rate \(Format.percent(oe.passRate)) (\(oe.passed)/\(oe.runs)) → \(Format.percent(ne.passRate)) (\(ne.passed)/\(ne.runs))"))
                }
            }
            changes += scoreChange(o.score.value, n.score.value, subject: "\(n.scenario) score")
        }
        for o in old.scenarios where !new.scenarios.contains(where: { $0.scenario == o.scenario }) {
            changes.append(Change(direction: .removed, subject: o.scenario, detail: "not run"))
        }
        changes += scoreChange(old.score.value, new.score.value, subject: "suite score")
        return ReportDiff(title: "suite \(old.startedAt) → \(new.startedAt)", changes: changes)
    }

    /// Plain text, one change a line.
    public func text() -> String {
        var out = [title]
        if changes.isEmpty { out.append("  no changes") }
        out += changes.map { "  \($0.direction.rawValue.uppercased()) \($0.subject): \($0.detail)" }
        out.append(hasRegression ? "regression: yes" : "regression: no")
        return out.joined(separator: "\n") + "\n"
    }

    /// A Markdown section for a pull request or job summary.
    public func markdown() -> String {
        var out = ["## \(hasRegression ? "❌ Regression" : "✅ No regression"): \(MarkdownSummary.cell(title))", ""]
        if changes.isEmpty {
            out.append("No changes.")
        } else {
            out += ["| change | what | detail |", "|---|---|---|"]
            out += changes.map { "| \($0.direction.rawValue) | \(MarkdownSummary.cell($0.subject)) | \(MarkdownSummary.cell($0.detail)) |" }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Higher is better: pass above unknown above fail.
    private static func rank(_ v: Verdict) -> Int {
        switch v {
        case .pass: 2
        case .unknown: 1
        case .fail: 0
        }
    }

    private static func evidenceChanges(_ o: CheckResult, _ n: CheckResult) -> [Change] {
        var changes: [Change] = []
        for key in n.evidence.keys.sorted() {
            guard let before = o.evidence[key], let after = n.evidence[key], before != after else { continue }
            switch (before, after) {
            case (.number(let a), .number(let b)):
                let moved = abs(b - a) / max(abs(a), abs(b), 1e-9)
                let isTime = key.hasSuffix("Seconds")
                guard moved >= relativeThreshold, !isTime || abs(b - a) >= secondsThreshold else { continue }
                let unit = isTime ? "s" : ""
                changes.append(Change(
                    direction: .changed, subject: n.expectation,
                    detail: "\(key) \(Format.number(a, decimals: 3))\(unit) → \(Format.number(b, decimals: 3))\(unit)"))
            case (.number, .string), (.number, .bool), (.string, .number), (.string, .string), (.string, .bool),
                (.bool, .number), (.bool, .string), (.bool, .bool):
                changes.append(Change(direction: .changed, subject: n.expectation, detail: "\(key) \(before) → \(after)"))
            }
        }
        return changes
    }

    private static func scoreChange(_ old: Double?, _ new: Double?, subject: String) -> [Change] {
        guard let old, let new, old != new else { return [] }
        return [Change(
            direction: new < old ? .regressed : .improved, subject: subject,
            detail: "\(Format.number(old, decimals: 1)) → \(Format.number(new, decimals: 1))")]
    }
}
