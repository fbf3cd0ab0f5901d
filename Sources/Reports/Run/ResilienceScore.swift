import Checks
import ScenarioFormat

/// One number for a run or a suite, 0 to 100, with the tallies behind it.
///
/// Each expectation counts with its `weight:` (1 when absent): a pass earns its weight, a fail
/// or an unknown earns nothing (an unknown proved nothing). The score is earned ÷ possible × 100,
/// rounded to one decimal. A suite pools every run's earned and possible weights, so a scenario
/// with more (or heavier) expectations counts for more, and each repeat counts once.
public struct ResilienceScore: Codable, Sendable, Equatable {
    /// 0–100 with one decimal; nil when there was nothing to judge (no expectations).
    public var value: Double?
    /// The weight of the expectations that passed.
    public var earned: Int
    /// The weight of every expectation.
    public var possible: Int
    public var passed: Int
    public var failed: Int
    public var unknown: Int

    public init(earned: Int, possible: Int, passed: Int, failed: Int, unknown: Int) {
        self.earned = earned
        self.possible = possible
        self.passed = passed
        self.failed = failed
        self.unknown = unknown
        self.value = possible > 0 ? (Double(earned) / Double(possible) * 1000).rounded() / 10 : nil
    }

    /// The score of one run. An expectation without a result (the run never reached its
    /// timeline) counts as unknown.
    public static func of(expectations: [Expectation], results: [CheckResult]) -> ResilienceScore {
        var earned = 0, possible = 0, passed = 0, failed = 0, unknown = 0
        for e in expectations {
            let weight = e.weight ?? 1
            possible += weight
            switch results.first(where: { $0.expectation == e.name })?.verdict ?? .unknown {
            case .pass:
                passed += 1
                earned += weight
            case .fail: failed += 1
            case .unknown: unknown += 1
            }
        }
        return ResilienceScore(earned: earned, possible: possible, passed: passed, failed: failed, unknown: unknown)
    }

    /// A suite's score: every run's weights pooled.
    public static func pooling(_ scores: [ResilienceScore]) -> ResilienceScore {
        ResilienceScore(
            earned: scores.reduce(0) { $0 + $1.earned }, possible: scores.reduce(0) { $0 + $1.possible },
            passed: scores.reduce(0) { $0 + $1.passed }, failed: scores.reduce(0) { $0 + $1.failed },
            unknown: scores.reduce(0) { $0 + $1.unknown })
    }

    /// `87.5/100 (7 of 8 weight)` or `n/a (no expectations)`.
    public var description: String {
        guard let value else { return "n/a (no expectations)" }
        return "\(Format.number(value, decimals: 1))/100 (\(earned) of \(possible) weight)"
    }
}
