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
        guard let first = after.first(where: { !$0.fails(spec.failures) }) else {
            return ctx.result(.fail, "no successful attempt after the heal at \(Format.seconds(healed)) (\(after.count) attempts)",
                              evidence: ["attempts": .number(Double(after.count))])
        }
        let took = first.settled - healed
        let ok = took <= spec.within
        return ctx.result(ok ? .pass : .fail, "recovered \(Format.seconds(took)) after the heal\(ok ? "" : ", later than \(spec.within)")",
                          evidence: ["recoverySeconds": .number(took.seconds), "within": .number(spec.within.seconds)],
                          events: [ctx.reference("first success after heal", first)])
    }
}
