@testable import Checks
import FaultlineCore
import RunHistory
import ScenarioFormat
import Testing

@Suite struct ProbeCheckTests {
    let history = Histories.partitionAndRecovery()

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var window: Window
        var success: String
        var verdict: Verdict
        var summary: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "every attempt fails during the partition", window: Window(during: "split"), success: ">= 99%",
             verdict: .fail, summary: "success 0% (0/25) < required >= 99%"),
        Case(label: "an expectation of failure during the partition passes", window: Window(during: "split"),
             success: "<= 10%", verdict: .pass, summary: "success 0% (0/25)"),
        Case(label: "recovered within 2s of the heal", window: Window(after: "split", within: .seconds(2)),
             success: ">= 99%", verdict: .pass, summary: "success 100% (40/40), recovery 0.4s"),
        Case(label: "not recovered within 0.1s of the heal", window: Window(after: "split", within: .milliseconds(100)),
             success: ">= 99%", verdict: .fail, summary: "success 96% (48/50) < required >= 99%, recovery 0.4s"),
        Case(label: "whole run", window: Window(), success: "> 50%", verdict: .pass, summary: "success 73% (73/100)"),
    ]

    @Test(arguments: cases)
    func judgesSuccessRatioInTheWindow(_ c: Case) throws {
        let result = try check(c.window, success: c.success)
        #expect(result.verdict == c.verdict)
        #expect(result.summary == c.summary)
    }

    @Test func recoveryTimeIsMeasuredFromTheHealToTheFirstSuccess() throws {
        let result = try check(Window(after: "split", within: .seconds(2)))
        #expect(result.evidence["recoverySeconds"] == .number(0.4))
        #expect(result.events.map(\.label) == ["first success after heal"])
        #expect(result.events.first?.t == .milliseconds(10_400))
        #expect(history[result.events[0].index].t == .milliseconds(10_400))
    }

    @Test func evidenceNamesCountsLatenciesAndFailureTimes() throws {
        let result = try check(Window())
        #expect(result.evidence["attempts"] == 100)
        #expect(result.evidence["successes"] == 73)
        #expect(result.evidence["failures"] == 27)
        #expect(result.evidence["successRatio"] == .number(0.73))
        #expect(result.evidence["latencyP50Seconds"] == .number(0.012))
        #expect(result.evidence["latencyP99Seconds"] == .number(0.012))
        #expect(result.evidence["firstFailureSeconds"] == .number(5.1))
        #expect(result.evidence["lastFailureSeconds"] == .number(10.3))
        #expect(result.events.map(\.label) == ["first failure", "last failure"])
        #expect(result.window == ResolvedWindow(start: .zero, end: .seconds(20)))
    }

    @Test func noAttemptsInTheWindowIsUnknown() throws {
        let result = try check(Window(until: .milliseconds(50)))
        #expect(result.verdict == .unknown)
        #expect(result.summary == "no probe attempts in window [0s, 0.05s]")
    }

    @Test func onlyAttemptsOfTheSameNameCount() throws {
        let spec = ProbeExpectation(from: "client", target: .tcp(host: "api", port: 8080), success: RatioRequirement(.atLeast, Percentage(percent: 99)))
        let result = ProbeCheck(name: "other", spec: spec)
            .evaluate(in: ResolvedWindow(start: .zero, end: .seconds(20)), history: history)
        #expect(result.verdict == .unknown)
    }

    @Test(arguments: [
        ([Int](), 0.5, nil),
        ([7], 0.99, 7),
        ([1, 2, 3, 4], 0.5, 2),
        (Array(1...100), 0.99, 99),
        (Array(1...100), 0.50, 50),
    ] as [([Int], Double, Int?)])
    func latencyPercentilesUseNearestRank(values: [Int], p: Double, expected: Int?) {
        let result = ProbeCheck.percentile(p, ofSorted: values.map { Histories.t($0) })
        #expect(result == expected.map { Histories.t($0) })
    }

    private func check(_ window: Window, success: String = ">= 99%") throws -> CheckResult {
        let spec = ProbeExpectation(
            from: "client", target: .http(URLTarget(host: "api", port: 8080)),
            success: try #require(RatioRequirement(parsing: success)))
        let expectation = ScenarioFormat.Expectation(name: "reachable", window: window, kind: .probe(spec))
        return Checker.evaluate(expectation, resolver: WindowResolver(history: history), history: history)
    }
}
