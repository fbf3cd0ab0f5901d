import Foundation
import Reports
import RunHistory
import Testing

@Suite struct SuiteReportTests {
    /// Three repeats of the fixture scenario: `served-during-split` passes only in the second.
    static func repeats() -> [RunReport] {
        (1...3).map { k in
            var r = Fixtures.report()
            r.runID = "run00\(k)"
            r.seed = 41 + UInt64(k)
            if k == 2, let i = r.expectations.firstIndex(where: { $0.expectation == "served-during-split" }) {
                r.expectations[i].verdict = .pass
                r.verdict = .unknown
                r.score = .of(expectations: r.scenario.expectations, results: r.expectations)
            }
            return r
        }
    }

    static func suite(_ reports: [RunReport] = repeats(), planned: Int? = nil) -> SuiteReport {
        SuiteReport.build(
            runs: reports.map { (report: $0, directory: "../checkout/\($0.runID)") },
            startedAt: Date(timeIntervalSince1970: 1_795_000_000), plannedRuns: planned ?? reports.count)
    }

    @Test func repeatsGivePassRatesAndFlakyExpectations() throws {
        let suite = Self.suite()
        let tally = try #require(suite.scenarios.first)
        #expect(suite.scenarios.count == 1 && tally.runs == 3)
        let served = try #require(tally.expectations.first { $0.expectation == "served-during-split" })
        #expect((served.passed, served.failed, served.passRate, served.isFlaky) == (1, 2, 0.333, true))
        #expect(suite.runs.map { suite.name(of: $0) } == ["checkout-survives-partition #1", "checkout-survives-partition #2", "checkout-survives-partition #3"])
        #expect(suite.score.possible == 15 && suite.score.earned == 10)
        #expect(suite.verdict == .fail && suite.verdictSummary == "3 of 3 runs not as designed")
        #expect(ResilienceScore.of(expectations: Fixtures.scenario.expectations, results: []).value == 0)
    }

    @Test func suiteMarkdownShowsPassRatesAndEachFailedRun() throws {
        let md = SuiteSummary.markdown(Self.suite(), reports: Self.repeats())
        try Golden.expectMatches(md, "suite-summary.md")
        #expect(md.contains("| checkout-survives-partition | served-during-split | 1/3 | 33.3% | ⚠️ flaky |"))
        #expect(md.contains("## ❌ FAIL checkout-survives-partition #1 — 1 of 5 expectations failed"))
    }

    @Test func suiteStoppedEarlyIsIncomplete() {
        let suite = Self.suite(Array(Self.repeats().prefix(1)), planned: 3)
        #expect(!suite.complete)
        #expect(SuiteSummary.markdown(suite, reports: []).contains("**INCOMPLETE:**"))
        #expect(SuiteSummary.html(suite).contains("INCOMPLETE"))
    }

    @Test func suiteFolderHoldsEveryFileAndLinksEachRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-suite-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try SuiteFolder.write(Self.suite(), reports: Self.repeats(), to: dir)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["index.html", "junit.xml", "suite.json", "summary.md"])
        #expect(try SuiteFolder.read(from: dir.appendingPathComponent("suite.json")) == Self.suite())
        let index = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("href=\"../checkout/run002/report.html\""))
        let junit = try String(contentsOf: dir.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(junit.components(separatedBy: "<testsuite ").count - 1 == 3)
    }
}

@Suite struct ReportDiffTests {
    @Test func passToFailAndMovedEvidenceAreReported() throws {
        let old = Fixtures.report()
        var new = old
        new.runID = "8e2b3c"
        let recovers = try #require(new.expectations.firstIndex { $0.expectation == "recovers" })
        new.expectations[recovers].verdict = .fail
        new.expectations[recovers].evidence["recoverySeconds"] = 2.3
        new.score = ResilienceScore(earned: 2, possible: 5, passed: 2, failed: 2, unknown: 1)
        let diff = ReportDiff.compare(old, new)
        #expect(diff.hasRegression)
        try Golden.expectMatches(diff.text(), "diff.txt")
        try Golden.expectMatches(diff.markdown(), "diff.md")
        #expect(diff.text().contains("CHANGED recovers: recoverySeconds 0.398s → 2.3s"))
    }

    @Test func sameReportHasNoChanges() {
        let diff = ReportDiff.compare(Fixtures.report(), Fixtures.report())
        #expect(diff.changes.isEmpty && !diff.hasRegression)
    }

    @Test func smallEvidenceJitterIsNotAChange() throws {
        var new = Fixtures.report()
        let recovers = try #require(new.expectations.firstIndex { $0.expectation == "recovers" })
        new.expectations[recovers].evidence["recoverySeconds"] = 0.41
        #expect(ReportDiff.compare(Fixtures.report(), new).changes.isEmpty)
    }

    @Test func suitePassRateDropIsARegression() {
        let old = SuiteReportTests.suite()
        var reports = SuiteReportTests.repeats()
        reports[1] = reports[0]
        let new = SuiteReportTests.suite(reports)
        let diff = ReportDiff.compare(old, new)
        #expect(diff.hasRegression)
        #expect(diff.text().contains("REGRESSED checkout-survives-partition / served-during-split: pass rate 33.3% (1/3) → 0% (0/3)"))
    }

    @Test func aBrokenClientFailingAsDesignedKeepsTheSuiteAndItsJUnitGreen() throws {
        var designed = Fixtures.report()
        designed.scenario.expectedVerdict = .fail
        #expect(designed.verdict == .fail && designed.designedVerdict == .pass)
        var passing = Fixtures.report()
        passing.verdict = .pass
        passing.expectations = passing.expectations.map { var e = $0; e.verdict = .pass; return e }
        let suite = SuiteReport.build(
            runs: [(report: passing, directory: "a"), (report: designed, directory: "b")],
            startedAt: Date(timeIntervalSince1970: 1_795_000_000), plannedRuns: 2)
        #expect(suite.verdict == .pass)
        #expect(suite.verdictSummary == "all 2 runs as designed (1 passed, 1 failed as designed)")
        #expect(suite.runs[1].expectedVerdict == .fail && suite.runs[1].designedVerdict == .pass)

        let junit = JUnitReport.render(designed)
        let failing = designed.expectations.count { $0.verdict == .fail }
        #expect(failing > 0)
        #expect(junit.contains(#"failures="0""#), "\(junit)")
        #expect(junit.components(separatedBy: #"<skipped type="expected-failure" message="expected failure (expect-verdict: fail): "#).count - 1 == failing)

        // A broken client that suddenly passes turns the suite red, and says why.
        var surprise = passing
        surprise.scenario.expectedVerdict = .fail
        #expect(surprise.designedVerdict == .fail)
        let red = SuiteReport.build(runs: [(report: surprise, directory: "c")], startedAt: Date(), plannedRuns: 1)
        #expect(red.verdict == .fail && red.verdictSummary == "1 of 1 runs not as designed")
        let surpriseXML = JUnitReport.render(surprise)
        #expect(surpriseXML.contains(#"<testcase name="fails as designed (expect-verdict: fail)""#))
        #expect(surpriseXML.contains(#"failures="1""#))
    }
}
