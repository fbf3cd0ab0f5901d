import FaultlineCore
import RunHistory
import ScenarioFormat

/// `failover`: the first success to the fallback within `within` of the window's start (the
/// fault's apply for `during:`); `failback`: the first success to the primary within `within`
/// of the `after:` fault's heal.
struct FailoverCheck {
    var spec: FailoverExpectation
    var back: Bool

    func evaluate(_ ctx: TrafficContext) -> CheckResult {
        if let u = ctx.unobserved() { return u }
        let target = back ? spec.primary : (spec.fallback ?? spec.primary)
        let start = back ? (ctx.window.healedAt ?? ctx.window.start) : ctx.window.start
        let candidates = ctx.log.attempts(TrafficSelector(from: spec.from, to: target))
            .filter { $0.t >= start && $0.t <= ctx.window.end }
        if let u = ctx.undecoded(candidates) { return u }
        let success = candidates.first { !$0.fails(OutcomePattern.defaultFailures) && $0.outcome != .connectionFailure("no response") }
        let what = back ? "back to \(target)" : "over to \(target)"
        guard let success else {
            return ctx.result(.fail, "no successful request \(what) after \(Format.seconds(start)) (\(candidates.count) attempts to \(target))",
                              evidence: ["attempts": .number(Double(candidates.count))])
        }
        let took = success.t - start
        let ok = took <= spec.within
        return ctx.result(ok ? .pass : .fail, "switched \(what) in \(Format.seconds(took))\(ok ? "" : ", later than \(spec.within)")",
                          evidence: ["switchSeconds": .number(took.seconds), "within": .number(spec.within.seconds)],
                          events: [ctx.reference("first success \(what)", success)])
    }
}
