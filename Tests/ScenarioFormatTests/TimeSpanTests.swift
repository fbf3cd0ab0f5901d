import FaultlineCore
@testable import ScenarioFormat
import Testing

struct TimeSpanTests {
    @Test(arguments: [
        ("0", 0),
        ("250ms", 250_000_000),
        ("5s", 5_000_000_000),
        ("1.5s", 1_500_000_000),
        ("1m30s", 90_000_000_000),
        ("2h", 7_200_000_000_000),
        ("800us", 800_000),
        ("800µs", 800_000),
        ("12ns", 12),
    ] as [(String, Int64)])
    func parsesUnitSyntax(text: String, nanoseconds: Int64) {
        #expect(TimeSpan(parsing: text)?.nanoseconds == nanoseconds)
    }

    @Test(arguments: ["", "5", "5 sec", "-1s", "5x", "s", "1.2.3s", "5sec", "ms5"])
    func rejectsMalformedText(text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }

    @Test(arguments: [
        (TimeSpan.seconds(5), "5s"),
        (.milliseconds(250), "250ms"),
        (.milliseconds(1500), "1.5s"),
        (.zero, "0s"),
        (TimeSpan(nanoseconds: 800_000), "800us"),
    ])
    func rendersTheShortestExactForm(span: TimeSpan, text: String) {
        #expect(span.description == text)
        #expect(TimeSpan(parsing: text) == span)
    }
}
