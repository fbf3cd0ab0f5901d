import FaultlineCore
import Checks
import ScenarioFormat

/// JUnit XML for CI test tabs: one `testsuite` per run, one `testcase` per expectation.
///
/// A failed expectation is a `<failure>`, an unknown one an `<error>`, each with the summary as
/// its message and the evidence as its text. A run that never reached its timeline lists every
/// expectation as an `<error>`; an interrupted one says so in a property and in `system-err`; a
/// skipped one (a `requires:` the machine lacks) lists every expectation as `<skipped>` with the reason.
/// A scenario designed to fail (`expect-verdict: fail`) that failed lists its failures as
/// `<skipped type="expected-failure">` (xfail); one that did not fail gets a failing case saying so.
/// Properties carry the seed, run id, kernel, Faultline version, score and each fault's engine.
public enum JUnitReport {
    public static let fileName = "junit.xml"

    /// The JUnit document for one run.
    public static func render(_ report: RunReport) -> String {
        render([(report.scenario.name, report)], name: report.scenario.name)
    }

    /// The JUnit document for a suite: one testsuite per run, named as given.
    public static func render(_ runs: [(name: String, report: RunReport)], name: String) -> String {
        let suites = runs.map { testsuite($0.report, name: $0.name) }
        let tests = suites.reduce(0) { $0 + $1.tests }
        let failures = suites.reduce(0) { $0 + $1.failures }
        let errors = suites.reduce(0) { $0 + $1.errors }
        let skipped = suites.reduce(0) { $0 + $1.skipped }
        let time = runs.reduce(0.0) { $0 + total($1.report.durations) }
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out += #"<testsuites name="\#(x(name))" tests="\#(tests)" failures="\#(failures)" errors="\#(errors)" skipped="\#(skipped)" time="\#(seconds(time))">"# + "\n"
        for s in suites { out += s.xml }
        out += "</testsuites>\n"
        return out
    }

    private struct Suite {
        var xml: String
        var tests: Int
        var failures: Int
        var errors: Int
        var skipped: Int
    }

    private static func testsuite(_ r: RunReport, name: String) -> Suite {
        let cases = testcases(r)
        let failures = cases.count { $0.verdict == .fail && !$0.expectedFailure }
        let skipped = cases.count { $0.skipped != nil || $0.expectedFailure }
        let errors = cases.count { $0.verdict == .unknown && $0.skipped == nil }
        var out = #"  <testsuite name="\#(x(name))" tests="\#(cases.count)" failures="\#(failures)" errors="\#(errors)" skipped="\#(skipped)" time="\#(seconds(total(r.durations)))" timestamp="\#(x(String(r.startedAt.dropLast())))">"# + "\n"
        out += "    <properties>\n"
        for (key, value) in properties(r) {
            out += #"      <property name="\#(x(key))" value="\#(x(value))"/>"# + "\n"
        }
        out += "    </properties>\n"
        for c in cases { out += c.xml(classname: r.scenario.name) }
        let faults = r.timeline.map { "fault " + TextSummary.line(for: $0) }
        if !faults.isEmpty { out += "    <system-out>\(x(faults.joined(separator: "\n")))</system-out>\n" }
        var problems: [String] = []
        if let why = r.incompleteReason { problems.append("INCOMPLETE: \(why)") }
        if let e = r.setupError { problems.append("setup failed: \(e)") }
        if !problems.isEmpty { out += "    <system-err>\(x(problems.joined(separator: "\n")))</system-err>\n" }
        out += "  </testsuite>\n"
        return Suite(xml: out, tests: cases.count, failures: failures, errors: errors, skipped: skipped)
    }

    private static func properties(_ r: RunReport) -> [(String, String)] {
        var p: [(String, String)] = [
            ("seed", String(r.seed)), ("runID", r.runID), ("kernel", r.machine.kernelDescription), ("faultline", r.version),
            ("verdict", r.verdict.rawValue), ("complete", String(r.incompleteReason == nil)),
            ("expectVerdict", r.scenario.expectedVerdict.rawValue), ("designedVerdict", r.designedVerdict.rawValue),
        ]
        if let score = r.score { p.append(("score", score.value.map { Format.number($0, decimals: 1) } ?? "n/a")) }
        if let why = r.incompleteReason { p.append(("incomplete", why)) }
        if let file = r.scenario.file { p.append(("scenarioFile", file)) }
        p += r.timeline.compactMap { f in f.engine.map { ("engine.\(f.fault)", $0) } }
        return p
    }

    /// One case per scenario expectation; one never judged is an error (setup failed) or skipped.
    private static func testcases(_ r: RunReport) -> [Case] {
        var cases = r.expectations.map { Case(result: $0) }
        for e in r.scenario.expectations where !r.expectations.contains(where: { $0.expectation == e.name }) {
            if let skipped = r.skipped {
                let result = CheckResult(expectation: e.name, kind: e.kind.keyword, verdict: .unknown, summary: "skipped: \(skipped)")
                cases.append(Case(result: result, skipped: skipped))
                continue
            }
            let why = r.setupError.map { "never judged: setup failed: \($0)" } ?? "never judged"
            cases.append(Case(result: CheckResult(expectation: e.name, kind: e.kind.keyword, verdict: .unknown, summary: why)))
        }
        // A scenario aimed at a broken client (`expect-verdict: fail`): its failures are expected
        // (skipped, like a test framework's xfail, so CI stays green), and a run that does not fail
        // is the one failure, as a strict xfail that passed.
        if r.scenario.expectedVerdict == .fail && r.skipped == nil {
            if r.verdict == .fail {
                cases = cases.map { c in c.verdict == .fail ? Case(result: c.result, expectedFailure: true) : c }
            } else {
                cases.append(Case(result: CheckResult(
                    expectation: "fails as designed (expect-verdict: fail)", kind: "expect-verdict", verdict: .fail,
                    summary: "the scenario is designed to fail (a deliberately broken client) but the run's verdict is \(r.verdict.label)")))
            }
        }
        return cases
    }

    private struct Case {
        var result: CheckResult
        /// Why the run was skipped; the case is then `<skipped>`, not an error.
        var skipped: String? = nil
        /// A failure the scenario declares (`expect-verdict: fail`): written as `<skipped>`.
        var expectedFailure = false
        var verdict: Verdict { result.verdict }

        func xml(classname: String) -> String {
            let time = result.window.map { max(0, ($0.end - $0.start).seconds) } ?? 0
            let open = #"    <testcase name="\#(x(result.expectation))" classname="\#(x(classname)).\#(x(result.kind))" time="\#(seconds(time))""#
            if let skipped {
                return open + ">\n" + #"      <skipped message="\#(x(skipped))"/>"# + "\n    </testcase>\n"
            }
            if expectedFailure {
                return open + ">\n" + #"      <skipped type="expected-failure" message="\#(x("expected failure (expect-verdict: fail): " + result.summary))">\#(x(detail))</skipped>"#
                    + "\n    </testcase>\n"
            }
            let tag: String
            switch result.verdict {
            case .pass: return open + "/>\n"
            case .fail: tag = "failure"
            case .unknown: tag = "error"
            }
            var out = open + ">\n"
            out += #"      <\#(tag) message="\#(x(result.summary))" type="\#(x(result.kind))">\#(x(detail))</\#(tag)>"# + "\n"
            out += "    </testcase>\n"
            return out
        }

        /// The evidence, one `key: value` a line, then the window.
        var detail: String {
            var lines = [result.summary]
            lines += result.evidence.keys.sorted().map { "\($0): \(result.evidence[$0]!)" }
            if let w = result.window { lines.append("window: \(w)") }
            lines += result.events.map { "\($0.label) at \(Format.seconds($0.t)) (history event \($0.index))" }
            return lines.joined(separator: "\n")
        }
    }

    private static func total(_ d: ReportDurations) -> Double { (d.setup + d.timeline + d.teardown).seconds }
    private static func seconds(_ v: Double) -> String { Format.number(v, decimals: 3) }
    private static func x(_ s: String) -> String { XMLText.escape(s) }
}
