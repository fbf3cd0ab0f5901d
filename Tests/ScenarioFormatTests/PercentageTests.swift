import FaultlineCore
@testable import ScenarioFormat
import Testing

struct PercentageTests {
    @Test(arguments: [("99%", 0.99), ("0.5 %", 0.005), ("100%", 1.0), ("0%", 0.0), (" 50% ", 0.5)])
    func parsesPercentages(text: String, fraction: Double) {
        #expect(Percentage(parsing: text)?.fraction == fraction)
    }

    @Test(arguments: ["120%", "-1%", "99", "%", "abc%", ""])
    func rejectsOutOfRangeOrMalformed(text: String) {
        #expect(Percentage(parsing: text) == nil)
    }

    @Test(arguments: [
        (">= 99%", ComparisonOperator.atLeast, 0.99),
        ("< 5%", .less, 0.05),
        ("==0%", .equal, 0.0),
        ("99%", .atLeast, 0.99),
        ("!= 100 %", .notEqual, 1.0),
    ])
    func parsesRatioRequirements(text: String, op: ComparisonOperator, fraction: Double) {
        let r = RatioRequirement(parsing: text)
        #expect(r?.op == op)
        #expect(r?.value.fraction == fraction)
    }
}
