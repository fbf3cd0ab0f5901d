import Foundation
import Reports
import Testing

@Suite struct RunReportTests {
    @Test func roundTripsThroughItsJSON() throws {
        let report = Fixtures.report()
        let decoded = try JSONDecoder().decode(RunReport.self, from: ReportWriter.encode(report))
        #expect(decoded == report)
    }

    @Test func jsonIsPrettySortedAndNamesItsFormat() throws {
        let text = String(decoding: try ReportWriter.encode(Fixtures.report()), as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"complete\" : true,\n  \"durations\" : {"))
        #expect(text.contains("\"formatVersion\" : 2,"))
        #expect(text.contains("\"version\" : \"0.1.0\""))
        #expect(text.contains("\"verdict\" : \"fail\""))
        #expect(text.hasSuffix("}\n"))
    }
}
