import Foundation
import Reports
import RunHistory
import Testing

@Suite struct TextSummaryTests {
    /// Set FAULTLINE_UPDATE_GOLDEN=1 to rewrite the golden files from the current output.
    static func expectMatchesGolden(_ text: String, _ name: String, filePath: String = #filePath) throws {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["FAULTLINE_UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: url)
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(text == golden)
    }

    @Test func summaryListsFaultsExpectationsAndVerdict() throws {
        try Self.expectMatchesGolden(TextSummary.render(Fixtures.report()), "summary.txt")
    }

    @Test func interruptedSummarySaysSoAndWhatNeverHealed() throws {
        let history = Fixtures.history.filter { $0.t < .seconds(8) }
            + [Event(t: .seconds(8), .interrupted(signal: "SIGINT"))]
        try Self.expectMatchesGolden(TextSummary.render(Fixtures.report(history: history)), "summary-interrupted.txt")
    }
}
