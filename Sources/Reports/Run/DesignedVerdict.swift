import Checks
import ScenarioFormat

extension ExpectedVerdict {
    /// Whether a run's overall verdict is the one its scenario declares (`expect-verdict:`). An
    /// `unknown` verdict never is: it proves nothing either way.
    public func isMet(by verdict: Verdict) -> Bool {
        switch self {
        case .pass: verdict == .pass
        case .fail: verdict == .fail
        }
    }
}

extension RunReport {
    /// The run judged against its declared verdict, as a suite and CI count it: `pass` when it
    /// reached the verdict its scenario declares (a broken client failing as designed included),
    /// else `unknown` when it proved nothing and `fail` when it reached the other verdict.
    public var designedVerdict: Verdict {
        if scenario.expectedVerdict.isMet(by: verdict) { return .pass }
        return verdict == .unknown ? .unknown : .fail
    }
}
