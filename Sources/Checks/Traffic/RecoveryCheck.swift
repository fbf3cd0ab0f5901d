import FaultlineCore
import RunHistory
import ScenarioFormat

/// From the `after:` fault's heal to the client's first successful attempt: at most `within`.
struct RecoveryCheck {
    var spec: RecoveryExpectation

    func evaluate(_ ctx: TrafficContext) -> CheckResult {
        if let u = ctx.unobserved() { return u }
        let healed = ctx.window.healedAt ?? ctx.window.start
        let after = ctx.log.attempts(spec.traffic).filter { $0.t >= healed && $0.t <= ctx.window.end }
        if let u = ctx.undecoded(after) { return u }
        guard let firstIndex = after.firstIndex(where: { !$0.fails(spec.failures) }) else {
            return ctx.result(.fail, "no successful attempt after the heal at \(Format.seconds(healed)) (\(Attempt.tally(after)))",
                              evidence: ["attempts": .number(Double(after.count))])
        }
        let first = after[firstIndex]
        let took = first.settled - healed
        let ok = took <= spec.within
        // A late recovery says what the client did in between: failed tries, or none at all.
        let before = Array(after[..<firstIndex])
        let detail = ok ? "" : ", later than \(spec.within); before it \(Attempt.tally(before))"
        return ctx.result(ok ? .pass : .fail, "recovered \(Format.seconds(took)) after the heal\(detail)",
                          evidence: ["recoverySeconds": .number(took.seconds), "within": .number(spec.within.seconds),
                                     "failedAttemptsAfterHeal": .number(Double(before.count))],
                          events: [ctx.reference("first success after heal", first)])
    }
}
