import ArgumentParser
import Foundation
import Reports

/// `faultline report …`: work with reports already written.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare reports of earlier runs.", subcommands: [ReportDiffCommand.self])
}

/// `faultline report diff OLD NEW`: what changed between two runs or two suites.
struct ReportDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two runs or two suites; exit 1 on a regression.",
        discussion: """
            OLD and NEW are report.json or suite.json files, or the folders holding them. A regression is an \
            expectation that went from pass to fail or unknown, a lower pass rate or a lower score. \
            Exit status: 0 no regression, 1 regression, 2 unreadable or mismatched reports.
            """)

    @Argument(help: "The earlier report (report.json, suite.json or its folder).")
    var old: String

    @Argument(help: "The later report.")
    var new: String

    @Flag(help: "Print Markdown instead of text.")
    var markdown = false

    func run() throws {
        let diff: ReportDiff
        do {
            switch (try Self.load(old), try Self.load(new)) {
            case (.run(let a), .run(let b)): diff = ReportDiff.compare(a, b)
            case (.suite(let a), .suite(let b)): diff = ReportDiff.compare(a, b)
            case (.run, .suite), (.suite, .run): throw ValidationError("cannot compare a run with a suite: give two report.json or two suite.json")
            }
        } catch {
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
        print(markdown ? diff.markdown() : diff.text(), terminator: "")
        if diff.hasRegression { throw ExitCode(1) }
    }

    enum Loaded {
        case run(RunReport)
        case suite(SuiteReport)
    }

    /// A run's or a suite's report, from the file or the folder holding it.
    static func load(_ path: String) throws -> Loaded {
        var url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let suite = url.appendingPathComponent(SuiteReport.fileName)
            url = FileManager.default.fileExists(atPath: suite.path) ? suite : url.appendingPathComponent(ReportWriter.fileName)
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw ValidationError("reading \(url.path): \(error.localizedDescription)") }
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        do {
            if object?["kind"] as? String == "suite" { return .suite(try JSONDecoder().decode(SuiteReport.self, from: data)) }
            return .run(try JSONDecoder().decode(RunReport.self, from: data))
        } catch {
            throw ValidationError("reading \(url.path): not a Faultline report: \(error)")
        }
    }
}
