import Checks
import Runner
import ScenarioFormat
import Testing

/// The exit status of a judged run: 0 exactly when the overall verdict is the one the scenario expects.
struct VerdictExpectationTests {
    @Test(arguments: [
        (Verdict.pass, ExpectedVerdict.pass, RunOutcome.passed),
        (.fail, .pass, .failed),
        (.unknown, .pass, .failed),
        (.fail, .fail, .passed),
        (.pass, .fail, .failed),
        (.unknown, .fail, .failed),
    ])
    func outcomeIsPassedOnlyWhenTheVerdictIsAsExpected(overall: Verdict, expected: ExpectedVerdict, outcome: RunOutcome) {
        #expect(VerdictExpectation.outcome(overall: overall, expected: expected) == outcome)
        #expect(VerdictExpectation.outcome(overall: overall, expected: expected).exitCode == (outcome == .passed ? 0 : 1))
    }

    @Test func summaryNoteSaysWhetherTheFailureWasExpected() {
        #expect(VerdictExpectation.note(overall: .pass, expected: .pass) == nil)
        #expect(VerdictExpectation.note(overall: .fail, expected: .fail)
            == "verdict: FAIL, as expected (expect-verdict: fail)")
        #expect(VerdictExpectation.note(overall: .pass, expected: .fail)
            == "verdict: PASS, NOT as expected (expect-verdict: fail)")
    }
}
