import Checks
import Foundation
import ScenarioFormat

/// `suite.json`: several runs played one after another (a folder of scenarios, `--repeat N`),
/// with each expectation's pass rate across repeats and one pooled score.
public struct SuiteReport: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1
    public static let fileName = "suite.json"

    public var formatVersion: Int
    /// Always `suite`: tells a suite file from a run's `report.json`.
    public var kind: String
    public var version: String
    public var startedAt: String
    public var runs: [SuiteRun]
    /// One per scenario, in the order first run.
    public var scenarios: [ScenarioTally]
    public var verdict: Verdict
    public var verdictSummary: String
    /// Every run's weights pooled (``ResilienceScore/pooling(_:)``).
    public var score: ResilienceScore
    /// False when a run was interrupted or the suite stopped before its last run.
    public var complete: Bool

    /// The suite of the given runs; `directory` is each run's folder relative to the suite's.
    public static func build(runs: [(report: RunReport, directory: String)], startedAt: Date, plannedRuns: Int) -> SuiteReport {
        var attempts: [String: Int] = [:]
        let entries = runs.map { r -> SuiteRun in
            attempts[r.report.scenario.name, default: 0] += 1
            return SuiteRun(report: r.report, attempt: attempts[r.report.scenario.name]!, directory: r.directory)
        }
        var order: [String] = []
        for r in runs.map(\.report) where !order.contains(r.scenario.name) { order.append(r.scenario.name) }
        let tallies = order.map { name in ScenarioTally(scenario: name, reports: runs.map(\.report).filter { $0.scenario.name == name }) }
        // Skipped runs (a `requires:` the machine lacks) are counted apart: they neither pass nor fail,
        // but a suite where nothing ran proved nothing.
        // A run counts by its designed verdict: a broken client failing as its scenario declares
        // (`expect-verdict: fail`) keeps the suite green, and one that suddenly passes turns it red.
        let judged = entries.filter { $0.skipped == nil }
        let skipped = entries.count - judged.count
        let verdict = judged.isEmpty && skipped > 0 ? .unknown : Verdict.combining(judged.map(\.designedVerdict))
        let failed = judged.count { $0.designedVerdict != .pass }
        let asDesignedFailures = judged.count { $0.expectedVerdict == .fail && $0.designedVerdict == .pass }
        var summary = judged.isEmpty ? "no runs" : failed == 0
            ? "all \(judged.count) run\(judged.count == 1 ? "" : "s") as designed"
                + (asDesignedFailures > 0 ? " (\(judged.count - asDesignedFailures) passed, \(asDesignedFailures) failed as designed)" : "")
            : "\(failed) of \(judged.count) runs not as designed"
        if skipped > 0 { summary = judged.isEmpty ? "every run skipped (\(skipped))" : summary + ", \(skipped) skipped" }
        return SuiteReport(
            formatVersion: currentFormatVersion, kind: "suite", version: FaultlineVersion.current,
            startedAt: ReportBuilder.iso8601(startedAt), runs: entries, scenarios: tallies, verdict: verdict,
            verdictSummary: summary, score: .pooling(runs.compactMap(\.report.score)),
            complete: runs.count == plannedRuns && entries.allSatisfy { $0.complete || $0.skipped != nil })
    }

    /// `checkout` or, when a scenario ran more than once, `checkout #2`: the run's name in JUnit and tables.
    public func name(of run: SuiteRun) -> String {
        (scenarios.first { $0.scenario == run.scenario }?.runs ?? 1) > 1 ? "\(run.scenario) #\(run.attempt)" : run.scenario
    }
}

/// One run of a suite, enough to list it and find its folder.
public struct SuiteRun: Codable, Sendable, Equatable {
    public var scenario: String
    /// 1 for the first run of this scenario, 2 for its first repeat, ….
    public var attempt: Int
    public var seed: UInt64
    public var runID: String
    public var verdict: Verdict
    public var verdictSummary: String
    /// The verdict its scenario declares (`expect-verdict:`; `pass` unless it says otherwise).
    public var expectedVerdict: ExpectedVerdict
    /// ``RunReport/designedVerdict``: `pass` when the run reached its declared verdict.
    public var designedVerdict: Verdict
    public var score: ResilienceScore?
    public var complete: Bool
    /// Why the run was skipped (``RunReport/skipped``), if it was.
    public var skipped: String?
    /// The run's folder, relative to the suite's folder.
    public var directory: String
    /// Expectation name → verdict, in scenario order.
    public var expectations: [ExpectationVerdict]

    init(report r: RunReport, attempt: Int, directory: String) {
        scenario = r.scenario.name
        self.attempt = attempt
        seed = r.seed
        runID = r.runID
        verdict = r.verdict
        verdictSummary = r.verdictSummary
        expectedVerdict = r.scenario.expectedVerdict
        designedVerdict = r.designedVerdict
        score = r.score
        complete = r.incompleteReason == nil
        skipped = r.skipped
        self.directory = directory
        expectations = r.expectations.map { ExpectationVerdict(expectation: $0.expectation, verdict: $0.verdict, summary: $0.summary) }
    }
}

extension SuiteRun {
    /// `SKIPPED` for a skipped run, else the verdict's label.
    public var verdictLabel: String { skipped == nil ? verdict.label : "SKIPPED" }
}

/// One expectation's verdict in one run, with its one-line reason.
public struct ExpectationVerdict: Codable, Sendable, Equatable {
    public var expectation: String
    public var verdict: Verdict
    public var summary: String
}

/// A scenario's runs in a suite: how often each expectation passed.
public struct ScenarioTally: Codable, Sendable, Equatable {
    public var scenario: String
    public var runs: Int
    public var passedRuns: Int
    public var score: ResilienceScore
    public var expectations: [ExpectationTally]

    init(scenario: String, reports: [RunReport]) {
        self.scenario = scenario
        runs = reports.count
        passedRuns = reports.count { $0.verdict == .pass }
        score = .pooling(reports.compactMap(\.score))
        let names = reports.first?.scenario.expectations.map(\.name) ?? []
        expectations = names.map { name in
            let verdicts = reports.map { r in r.expectations.first { $0.expectation == name }?.verdict ?? .unknown }
            return ExpectationTally(
                expectation: name, runs: verdicts.count, passed: verdicts.count { $0 == .pass },
                failed: verdicts.count { $0 == .fail }, unknown: verdicts.count { $0 == .unknown })
        }
    }
}

/// One expectation across a scenario's repeats: a flaky one passes in some and not others.
public struct ExpectationTally: Codable, Sendable, Equatable {
    public var expectation: String
    public var runs: Int
    public var passed: Int
    public var failed: Int
    public var unknown: Int
    /// passed ÷ runs, 0 to 1.
    public var passRate: Double

    public init(expectation: String, runs: Int, passed: Int, failed: Int, unknown: Int) {
        self.expectation = expectation
        self.runs = runs
        self.passed = passed
        self.failed = failed
        self.unknown = unknown
        passRate = runs > 0 ? (Double(passed) / Double(runs) * 1000).rounded() / 1000 : 0
    }

    /// Passed in some runs and not in others.
    public var isFlaky: Bool { passed > 0 && passed < runs }
}
