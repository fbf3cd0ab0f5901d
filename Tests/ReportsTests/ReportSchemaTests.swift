import Foundation
import Reports
import RunHistory
import Testing

/// `docs/report.schema.json` describes the reports Faultline really writes, checked with Python's
/// `jsonschema` (a real validator, installed by scripts/setup.sh).
@Suite(.enabled(if: Python.has("jsonschema"), "needs python3-jsonschema for /usr/bin/python3 (scripts/setup.sh test installs it)"))
struct ReportSchemaTests {
    static let validate = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        bad = 0
        for path in sys.argv[2:]:
            for e in v.iter_errors(json.load(open(path))):
                bad += 1
                print(path, "/".join(map(str, e.absolute_path)), e.message)
        sys.exit(1 if bad else 0)
        """

    static let schema = Python.repositoryRoot().appendingPathComponent("docs/report.schema.json").path

    func validate(_ reports: [Data]) throws -> ToolOutput {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (i, data) in reports.enumerated() {
            let url = dir.appendingPathComponent("report-\(i).json")
            try data.write(to: url)
            paths.append(url.path)
        }
        return try Python.run(Self.validate, arguments: [Self.schema] + paths)
    }

    @Test func goldenAndHandBuiltReportsMatchTheSchema() throws {
        let golden = try Data(contentsOf: Golden.url("report.json"))
        var setupFailed = Fixtures.context
        setupFailed.setupError = "building the testbed: Operation not permitted"
        let reports = [
            golden,
            try ReportWriter.encode(Fixtures.report(history: Fixtures.interruptedHistory)),
            try ReportWriter.encode(Fixtures.report(history: [], context: setupFailed)),
        ]
        let out = try validate(reports)
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
    }

    @Test func schemaRejectsAReportThatBreaksIt() throws {
        var json = try JSONSerialization.jsonObject(with: ReportWriter.encode(Fixtures.report())) as! [String: Any]
        json["verdict"] = "maybe"
        json.removeValue(forKey: "score")
        let out = try validate([try JSONSerialization.data(withJSONObject: json)])
        #expect(out.status == 1)
        #expect(out.stdout.contains("verdict 'maybe' is not one of"))
        #expect(out.stdout.contains("'score' is a required property"))
    }
}
