import Foundation
import Reports
import Testing

/// `report.json` byte for byte against a golden file, and format 1 reports still read.
@Suite struct ReportJSONTests {
    @Test func reportJSONMatchesGolden() throws {
        let text = String(decoding: try ReportWriter.encode(Fixtures.report()), as: UTF8.self)
        try Golden.expectMatches(text, "report.json")
    }

    @Test func formatOneReportWithoutScoreStillReads() throws {
        var json = try JSONSerialization.jsonObject(with: ReportWriter.encode(Fixtures.report())) as! [String: Any]
        json["formatVersion"] = 1
        for key in ["score", "complete"] { json.removeValue(forKey: key) }
        let report = try JSONDecoder().decode(RunReport.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(report.formatVersion == 1)
        #expect(report.score == nil)
        #expect(report.expectations.count == 5)
    }
}
