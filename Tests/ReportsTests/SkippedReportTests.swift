import Foundation
import Reports
import RunHistory
import Testing

/// A scenario skipped for a missing `requires:` says so, with the reason, in every format, and is
/// never counted as a pass.
@Suite struct SkippedReportTests {
    static let why = "needs command etcd (package etcd-server), not found; install: apt-get install etcd-server"

    static func skipped() -> RunReport {
        var context = Fixtures.context
        context.skipped = why
        let history = [Event(t: .seconds(0), .note(message: "skipped: \(why)"))]
        return ReportBuilder.build(scenario: Fixtures.scenario, history: history, results: [], context: context)
    }

    @Test func reportIsUnknownWithTheReasonAndNoScore() throws {
        let r = Self.skipped()
        #expect(r.skipped == Self.why)
        #expect(r.verdict == .unknown)
        #expect(r.verdictLabel == "SKIPPED")
        #expect(r.verdictSummary == "skipped: \(Self.why)")
        #expect(r.score == nil)
        #expect(r.complete == false)
        #expect(r.expectations.isEmpty)
        let decoded = try JSONDecoder().decode(RunReport.self, from: JSONEncoder().encode(r))
        #expect(decoded.skipped == Self.why)
    }

    @Test func textMarkdownAndHTMLSaySkippedWithTheReason() {
        let r = Self.skipped()
        let text = TextSummary.render(r)
        #expect(text.contains("skipped: \(Self.why)\n"))
        #expect(text.hasSuffix("verdict: SKIPPED — skipped: \(Self.why)\n"))
        let markdown = MarkdownSummary.render(r)
        #expect(markdown.hasPrefix("## ❔ SKIPPED checkout-survives-partition — skipped: needs command etcd"))
        #expect(markdown.contains("> **SKIPPED: \(Self.why).**"))
        #expect(!markdown.contains("INCOMPLETE"))
        let html = HTMLReport.render(r, events: [], scenarioSource: nil)
        #expect(html.contains("<div class=\"banner\" id=\"skipped\">SKIPPED: \(Self.why)."))
        #expect(html.contains(">SKIPPED</span> checkout-survives-partition</h1>"))
    }

    @Test func junitListsEveryExpectationAsSkipped() {
        let xml = JUnitReport.render(Self.skipped())
        let count = Fixtures.scenario.expectations.count
        #expect(xml.contains(#"failures="0" errors="0" skipped="\#(count)""#))
        #expect(xml.components(separatedBy: #"<skipped message="\#(Self.why)"/>"#).count - 1 == count)
        #expect(!xml.contains("<error"))
    }

    @Test func aSuiteCountsSkippedRunsApart() {
        var passed = Fixtures.report()
        passed.verdict = .pass
        passed.expectations = passed.expectations.map { var e = $0; e.verdict = .pass; return e }
        let date = Date(timeIntervalSince1970: 1_795_000_000)
        let mixed = SuiteReport.build(
            runs: [(report: passed, directory: "a"), (report: Self.skipped(), directory: "b")], startedAt: date, plannedRuns: 2)
        #expect(mixed.verdict == .pass)
        #expect(mixed.verdictSummary == "all 1 run as designed, 1 skipped")
        #expect(mixed.complete)
        #expect(mixed.runs[1].skipped == Self.why && mixed.runs[1].verdictLabel == "SKIPPED")
        #expect(SuiteSummary.markdown(mixed, reports: [passed, Self.skipped()]).contains("| ❔ SKIPPED |"))

        let none = SuiteReport.build(runs: [(report: Self.skipped(), directory: "b")], startedAt: date, plannedRuns: 1)
        #expect(none.verdict == .unknown)
        #expect(none.verdictSummary == "every run skipped (1)")
    }
}
