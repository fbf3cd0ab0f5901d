import Checks
import Reports
import ScenarioFormat

/// Compares a run's overall verdict with the one its scenario declares (`expect-verdict:`).
///
/// The one place that decides the exit status of a judged run: a scenario aimed at a deliberately
/// broken client passes the suite exactly when its checks fail, and a broken client that suddenly
/// passes turns the suite red. An `unknown` overall verdict never matches, since it proves nothing.
public enum VerdictExpectation {
    /// `.passed` when `overall` is the verdict the scenario expects, `.failed` otherwise.
    public static func outcome(overall: Verdict, expected: ExpectedVerdict) -> RunOutcome {
        matches(overall: overall, expected: expected) ? .passed : .failed
    }

    /// Whether the overall verdict is the expected one.
    public static func matches(overall: Verdict, expected: ExpectedVerdict) -> Bool {
        expected.isMet(by: overall)
    }

    /// The summary's last line for a scenario that expects a failure; nil for the default (pass).
    public static func note(overall: Verdict, expected: ExpectedVerdict) -> String? {
        guard expected != .pass else { return nil }
        let verdict = overall.label
        return matches(overall: overall, expected: expected)
            ? "verdict: \(verdict), as expected (expect-verdict: \(expected.rawValue))"
            : "verdict: \(verdict), NOT as expected (expect-verdict: \(expected.rawValue))"
    }
}
