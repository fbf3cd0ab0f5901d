import FaultlineCore
import RunHistory
import ScenarioFormat

/// How many attempts the client made in the window (or how many per second), against the bound.
struct RequestsCheck {
    var spec: RequestsExpectation

    func evaluate(_ ctx: TrafficContext) -> CheckResult {
        if let u = ctx.unobserved() { return u }
        var attempts = ctx.log.attempts(spec.traffic, in: ctx.window)
        if let u = ctx.undecoded(attempts) { return u }
        if let outcomes = spec.outcomes { attempts = attempts.filter { $0.fails(outcomes) } }
        let seconds = max((ctx.window.end - ctx.window.start).seconds, 1e-9)
        let measured = spec.bound.perSecond ? Double(attempts.count) / seconds : Double(attempts.count)
        let ok = spec.bound.holds(measured)
        let what = spec.bound.perSecond ? "\(Format.number(measured, decimals: 2))/s (\(attempts.count) in \(Format.seconds(ctx.window.end - ctx.window.start)))" : "\(attempts.count)"
        return ctx.result(
            ok ? .pass : .fail, "\(what) attempts \(ok ? "" : "not ")\(spec.bound.op.rawValue) \(Format.number(spec.bound.value, decimals: 2))\(spec.bound.perSecond ? "/s" : "")",
            evidence: ["count": .number(Double(attempts.count)), "ratePerSecond": .number(Double(attempts.count) / seconds),
                       "required": .string(spec.bound.description)],
            events: attempts.prefix(1).map { ctx.reference("first attempt", $0) })
    }
}
