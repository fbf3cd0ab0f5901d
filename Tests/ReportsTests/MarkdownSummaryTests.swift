import Foundation
import Reports
import RunHistory
import Testing

@Suite struct MarkdownSummaryTests {
    @Test func markdownMatchesGolden() throws {
        try Golden.expectMatches(MarkdownSummary.render(Fixtures.report()), "summary.md")
    }

    @Test func interruptedMarkdownSaysIncomplete() throws {
        let md = MarkdownSummary.render(Fixtures.report(history: Fixtures.interruptedHistory))
        try Golden.expectMatches(md, "summary-interrupted.md")
        #expect(md.contains("**INCOMPLETE: interrupted by SIGINT.**"))
    }

    @Test func everyExpectationHasOneRowWithItsEvidence() {
        let report = Fixtures.report()
        let md = MarkdownSummary.render(report)
        for e in report.expectations {
            let rows = md.split(separator: "\n").filter { $0.contains("| \(e.expectation) |") }
            #expect(rows.count == 1)
            #expect(rows.first?.contains(e.verdict.label) == true)
            if let key = e.evidence.keys.sorted().first { #expect(rows.first?.contains(key) == true) }
        }
    }

    @Test func tableCellsCannotBreakTheTable() {
        #expect(MarkdownSummary.cell("a|b\nc<d>") == "a\\|b c&lt;d>")
    }
}
