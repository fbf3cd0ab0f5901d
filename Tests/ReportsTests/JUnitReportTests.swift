import Foundation
import Reports
import RunHistory
import Testing

@Suite struct JUnitReportTests {
    @Test func junitMatchesGolden() throws {
        try Golden.expectMatches(JUnitReport.render(Fixtures.report()), "junit.xml")
    }

    @Test func interruptedJUnitSaysIncomplete() throws {
        let xml = JUnitReport.render(Fixtures.report(history: Fixtures.interruptedHistory))
        try Golden.expectMatches(xml, "junit-interrupted.xml")
        #expect(xml.contains(#"<property name="incomplete" value="interrupted by SIGINT"/>"#))
        #expect(xml.contains("<system-err>INCOMPLETE: interrupted by SIGINT</system-err>"))
    }

    @Test func escapesMarkupAndControlCharacters() {
        #expect(XMLText.escape("a<b & \"c\" 'd'>\u{1B}[0m") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;\u{FFFD}[0m")
    }
}

/// The JUnit file read by a real consumer: Python's `junitparser`, as CI plugins read it.
@Suite(.enabled(if: Python.has("junitparser"), "needs python3-junitparser for /usr/bin/python3 (scripts/setup.sh test installs it)"))
struct JUnitConsumerTests {
    struct Parsed: Decodable {
        struct Suite: Decodable {
            var name: String
            var tests: Int
            var failures: Int
            var errors: Int
            var time: Double
            var properties: [String: String]
            var cases: [Case]
        }
        struct Case: Decodable {
            var name: String
            var classname: String
            var time: Double
            var results: [Result]
        }
        struct Result: Decodable {
            var type: String
            var message: String?
            var text: String?
        }
        var suites: [Suite]
    }

    static let script = """
        import json, sys
        from junitparser import JUnitXml
        xml = JUnitXml.fromfile(sys.argv[1])
        suites = []
        for suite in xml:
            cases = [{"name": c.name, "classname": c.classname, "time": c.time,
                      "results": [{"type": type(r).__name__, "message": r.message, "text": r.text} for r in c.result]}
                     for c in suite]
            suites.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                           "errors": suite.errors, "time": suite.time,
                           "properties": {p.name: p.value for p in suite.properties()}, "cases": cases})
        print(json.dumps({"suites": suites}))
        """

    static func parse(_ xml: String) throws -> Parsed {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-junit-\(UUID().uuidString).xml")
        try Data(xml.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let out = try Python.run(script, arguments: [url.path])
        #expect(out.status == 0, "\(out.stderr)")
        return try JSONDecoder().decode(Parsed.self, from: Data(out.stdout.utf8))
    }

    @Test func junitparserReadsCountsMessagesAndProperties() throws {
        let report = Fixtures.report()
        let parsed = try Self.parse(JUnitReport.render(report))
        let suite = try #require(parsed.suites.first)
        #expect(parsed.suites.count == 1)
        #expect(suite.name == "checkout-survives-partition")
        #expect((suite.tests, suite.failures, suite.errors) == (5, 1, 1))
        #expect(suite.properties["seed"] == "42")
        #expect(suite.properties["runID"] == "7f1a2b")
        #expect(suite.properties["kernel"] == "6.8.0-45-generic")
        #expect(suite.properties["engine.split"] == "fib-rule")
        #expect(suite.cases.map(\.name) == report.expectations.map(\.expectation))
        for (c, r) in zip(suite.cases, report.expectations) {
            switch r.verdict {
            case .pass: #expect(c.results.isEmpty)
            case .fail:
                #expect(c.results.map(\.type) == ["Failure"])
                #expect(c.results.first?.message == r.summary)
            case .unknown:
                #expect(c.results.map(\.type) == ["Error"])
                #expect(c.results.first?.message == r.summary)
            }
        }
        let recovers = try #require(suite.cases.first { $0.name == "served-during-split" })
        #expect(recovers.time > 4.9 && recovers.time < 5.1)
        #expect(recovers.results.first?.text?.contains("successRatio: 0") == true)
    }

    @Test func suiteHasOneTestsuitePerRunAndSetupFailuresAreErrors() throws {
        var failed = Fixtures.context
        failed.setupError = "building the testbed: Operation not permitted"
        let runs = [("first", Fixtures.report()), ("second", Fixtures.report(history: [], context: failed))]
        let parsed = try Self.parse(JUnitReport.render(runs, name: "suite"))
        #expect(parsed.suites.map(\.name) == ["first", "second"])
        let second = parsed.suites[1]
        #expect((second.tests, second.errors) == (5, 5))
        #expect(second.cases.allSatisfy { $0.results.first?.message?.hasPrefix("never judged: setup failed") == true })
    }
}
