import RunHistory
import ScenarioFormat

/// `availability`: the share of successful attempts; `latency`: p50/p99 of answered requests.
struct ServiceLevelCheck {
    var spec: ServiceLevelExpectation

    func evaluate(_ ctx: TrafficContext) -> CheckResult {
        if let u = ctx.unobserved() { return u }
        let attempts = ctx.log.attempts(spec.traffic, in: ctx.window)
        if let u = ctx.undecoded(attempts) { return u }
        guard !attempts.isEmpty else {
            return ctx.result(.unknown, "no attempts in window \(ctx.window)")
        }
        var evidence: [String: EvidenceValue] = ["attempts": .number(Double(attempts.count))]
        var problems: [String] = []
        var parts: [String] = []
        if let success = spec.success {
            let ok = attempts.count { !$0.fails(spec.failures) }
            let ratio = Double(ok) / Double(attempts.count)
            evidence["successRatio"] = .number(ratio)
            evidence["successes"] = .number(Double(ok))
            let text = "success \(Format.percent(ratio)) (\(ok)/\(attempts.count))"
            parts.append(text)
            if !success.holds(ratio) {
                // Say what failed: the statuses, resets, TLS alerts the client met.
                problems.append("\(text), required \(success); \(Attempt.tally(attempts.filter { $0.fails(spec.failures) }))")
            }
        }
        if spec.p50 != nil || spec.p99 != nil {
            let latencies = attempts.compactMap(\.latency)
            guard !latencies.isEmpty else {
                return ctx.result(.unknown, "no answered request in window \(ctx.window) to measure latency on", evidence: evidence)
            }
            for (label, q, bound) in [("p50", 0.5, spec.p50), ("p99", 0.99, spec.p99)] {
                guard let bound, let v = latencies.percentile(q) else { continue }
                evidence["latency\(label.uppercased())Seconds"] = .number(v.seconds)
                parts.append("\(label) \(Format.seconds(v))")
                if !bound.holds(v) { problems.append("\(label) \(Format.seconds(v)), required \(bound)") }
            }
        }
        if let p = problems.first { return ctx.result(.fail, p, evidence: evidence) }
        return ctx.result(.pass, parts.joined(separator: ", "), evidence: evidence)
    }
}
