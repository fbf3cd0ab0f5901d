import Checks
import RunHistory
import ScenarioFormat
import Testing

@Suite struct WindowResolverTests {
    let resolver = WindowResolver(history: Histories.partitionAndRecovery(applied: 5_003, healed: 10_002))

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var window: Window
        var start: Int
        var end: Int
        var healedAt: Int?
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "no window is the whole timeline", window: Window(), start: 0, end: 20_000),
        Case(label: "during spans actual apply to actual heal", window: Window(during: "split"), start: 5_003, end: 10_002),
        Case(label: "after starts at the actual heal", window: Window(after: "split"), start: 10_002, end: 20_000, healedAt: 10_002),
        Case(label: "after within starts at heal plus within",
             window: Window(after: "split", within: .seconds(2)), start: 12_002, end: 20_000, healedAt: 10_002),
        Case(label: "before ends at the actual apply", window: Window(before: "split"), start: 0, end: 5_003),
        Case(label: "from and until narrow the window",
             window: Window(during: "split", from: .seconds(6), until: .seconds(8)), start: 6_000, end: 8_000),
    ]

    @Test(arguments: cases)
    func resolvesWindowsFromActualFaultTimes(_ c: Case) throws {
        let w = try resolver.resolve(c.window)
        #expect(w.start == Histories.t(c.start))
        #expect(w.end == Histories.t(c.end))
        #expect(w.healedAt == c.healedAt.map(Histories.t))
    }

    @Test func faultThatNeverAppliedCannotBePlacedAndSaysWhy() {
        var history = Histories.partitionAndRecovery()
        history.insert(Event(t: .seconds(5), .faultFailed(
            fault: "slow", operation: "adding netem qdisc", error: "Operation not permitted")), at: 40)
        let resolver = WindowResolver(history: history)
        #expect(throws: CheckError.faultNeverApplied("slow", failure: "adding netem qdisc: Operation not permitted")) {
            try resolver.resolve(Window(during: "slow"))
        }
        #expect(throws: CheckError.faultNeverApplied("gone")) { try resolver.resolve(Window(after: "gone")) }
        #expect(CheckError.faultNeverApplied("gone").description == "fault \"gone\" was never applied")
    }

    @Test func interruptedRunEndsAtItsLastEvent() throws {
        let history = Histories.partitionAndRecovery().filter { $0.t < .seconds(12) }
            + [Event(t: .seconds(12.5), .interrupted(signal: "SIGINT"))]
        let resolver = WindowResolver(history: history)
        #expect(!resolver.timelineCompleted)
        #expect(try resolver.resolve(Window()).end == .seconds(12.5))
    }

    @Test func faultStillInEffectAtTheEndLastsUntilTheEndForDuringButHasNoAfter() throws {
        let history = Histories.partitionAndRecovery().filter {
            if case .faultHealed = $0.kind { false } else { true }
        }
        let resolver = WindowResolver(history: history)
        #expect(try resolver.resolve(Window(during: "split")) == ResolvedWindow(start: .seconds(5), end: .seconds(20)))
        #expect(throws: CheckError.faultNeverHealed("split")) { try resolver.resolve(Window(after: "split")) }
    }

    @Test func historyWithoutTimelineStartCannotPlaceAnyWindow() {
        let resolver = WindowResolver(history: Histories.partitionAndRecovery().filter { $0.t < .zero })
        #expect(throws: CheckError.timelineNeverStarted) { try resolver.resolve(Window()) }
    }

    @Test func windowThatStartsAfterItEndsIsEmpty() {
        #expect(throws: CheckError.self) {
            try resolver.resolve(Window(after: "split", within: .seconds(30)))
        }
    }

    @Test func reportsActualFaultTimesForReports() throws {
        let times = try #require(resolver.times(of: "split"))
        #expect(times.applied.t == .milliseconds(5_003))
        #expect(times.healed?.t == .milliseconds(10_002))
        #expect(resolver.times(of: "other") == nil)
    }
}
