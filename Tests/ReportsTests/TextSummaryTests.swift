import Foundation
import Reports
import RunHistory
import Testing

@Suite struct TextSummaryTests {
    @Test func summaryListsFaultsExpectationsAndVerdict() throws {
        try Golden.expectMatches(TextSummary.render(Fixtures.report()), "summary.txt")
    }

    @Test func interruptedSummarySaysSoAndWhatNeverHealed() throws {
        try Golden.expectMatches(TextSummary.render(Fixtures.report(history: Fixtures.interruptedHistory)), "summary-interrupted.txt")
    }
}
