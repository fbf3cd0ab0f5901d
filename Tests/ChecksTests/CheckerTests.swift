import Checks
import FaultlineCore
import Foundation
import RunHistory
import ScenarioFormat
import Testing

@Suite struct CheckerTests {
    static let probe = ProbeExpectation(
        from: "client", target: .tcp(host: "api", port: 8080), success: RatioRequirement(.atLeast, Percentage(percent: 99)))

    static func scenario(_ expectations: [ScenarioFormat.Expectation]) -> Scenario {
        Scenario(
            name: "checkout", duration: .seconds(20), hosts: [Host(name: "api", run: "./api"), Host(name: "client")],
            faults: [Fault(name: "split", at: .seconds(5), duration: .seconds(5),
                           kind: .partition(Partition(cuts: [DirectedPair(from: "client", to: "api")])))],
            expectations: expectations)
    }

    @Test func judgesEveryExpectationInTheScenarioOrder() {
        let results = Checker.evaluate(
            scenario: Self.scenario([
                ScenarioFormat.Expectation(name: "reachable", window: Window(after: "split", within: .seconds(2)), kind: .probe(Self.probe)),
                ScenarioFormat.Expectation(name: "api", kind: .process(ProcessExpectation(host: "api", running: true))),
                ScenarioFormat.Expectation(name: "reachable", window: Window(during: "missing"), kind: .probe(Self.probe)),
            ]),
            history: Histories.partitionAndRecovery())
        #expect(results.map(\.verdict) == [.pass, .pass, .unknown])
        #expect(results.map(\.kind) == ["probe", "process", "probe"])
        #expect(Checker.overall(results) == .unknown)
    }

    @Test func windowOnAFaultThatNeverAppliedIsUnknownWithTheReason() {
        let results = Checker.evaluate(
            scenario: Self.scenario([ScenarioFormat.Expectation(name: "reachable", window: Window(during: "dns"), kind: .probe(Self.probe))]),
            history: Histories.partitionAndRecovery())
        #expect(results.count == 1)
        #expect(results[0].verdict == .unknown)
        #expect(results[0].summary == "fault \"dns\" was never applied")
        #expect(results[0].window == nil)
    }

    @Test(arguments: [
        ([], Verdict.unknown, "no expectations"),
        ([.pass], .pass, "the expectation passed"),
        ([.pass, .pass], .pass, "all 2 expectations passed"),
        ([.pass, .unknown], .unknown, "1 of 2 expectations could not be judged"),
        ([.unknown, .fail, .pass], .fail, "1 of 3 expectations failed"),
    ] as [([Verdict], Verdict, String)])
    func overallVerdictFailsOnAnyFailureAndIsUnknownWithoutExpectations(
        verdicts: [Verdict], expected: Verdict, summary: String
    ) {
        let results = verdicts.map { CheckResult(expectation: "e", kind: "probe", verdict: $0, summary: "") }
        #expect(Checker.overall(results) == expected)
        #expect(Checker.overallSummary(results) == summary)
    }

    @Test func resultsEncodeAsPlainJSONValues() throws {
        let result = CheckResult(
            expectation: "reachable", kind: "probe", verdict: .fail, summary: "s",
            evidence: ["attempts": 40, "required": ">= 99%", "recovered": false, "successRatio": 0.625],
            window: ResolvedWindow(start: .seconds(5), end: .seconds(10)),
            events: [EventReference(label: "first failure", index: 3, t: .seconds(5.1))])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(result.evidence), as: UTF8.self)
        #expect(json == #"{"attempts":40,"recovered":false,"required":">= 99%","successRatio":0.625}"#)
        #expect(String(decoding: try encoder.encode(Verdict.unknown), as: UTF8.self) == #""unknown""#)
        #expect(try JSONDecoder().decode(CheckResult.self, from: encoder.encode(result)) == result)
    }
}
