import FaultlineCore
import RunHistory
import ScenarioFormat

/// After `after` consecutive failures: no attempt for at least `open`, then one trial (half-open);
/// a failed trial opens the circuit again, a successful one lets traffic resume.
struct CircuitBreakerCheck {
    var spec: CircuitBreakerExpectation
    /// Slack for timers: a trial this much early still counts as on time.
    static let slack = TimeSpan.milliseconds(20)

    func evaluate(_ ctx: TrafficContext) -> CheckResult {
        if let u = ctx.unobserved() { return u }
        let attempts = ctx.log.attempts(spec.traffic, in: ctx.window)
        if let u = ctx.undecoded(attempts) { return u }
        var streak = 0
        var openedAt: (t: TimeSpan, attempt: Attempt)?
        var i = 0
        while i < attempts.count, openedAt == nil {
            streak = attempts[i].fails(spec.failures) ? streak + 1 : 0
            if streak >= spec.after { openedAt = (attempts[i].settled, attempts[i]) }
            i += 1
        }
        guard var (opened, opener) = openedAt else {
            return ctx.result(.unknown, "the client never met \(spec.after) consecutive failures in the window (\(attempts.count) attempts), so the circuit was never put to the test",
                              evidence: ["attempts": .number(Double(attempts.count))])
        }
        var evidence: [String: EvidenceValue] = ["openedAt": .number(opened.seconds), "after": .number(Double(spec.after))]
        var trials = 0
        // Walk the open → half-open cycles.
        while true {
            guard i < attempts.count else {
                let waited = ctx.window.end - opened
                if waited >= spec.open + .seconds(5) {
                    return ctx.result(.fail, "the circuit opened at \(Format.seconds(opened)) but no trial followed before the window's end (\(Format.seconds(waited)) later)",
                                      evidence: evidence, events: [ctx.reference("circuit opened", opener)])
                }
                evidence["trials"] = .number(Double(trials))
                return ctx.result(trials > 0 ? .pass : .unknown,
                                  trials > 0 ? "opened at \(Format.seconds(opened)), stayed open; \(trials) trial(s) so far"
                                      : "the window ended \(Format.seconds(waited)) after the circuit opened, before a trial was due",
                                  evidence: evidence, events: [ctx.reference("circuit opened", opener)])
            }
            let trial = attempts[i]
            let silence = trial.t - opened
            guard silence + Self.slack >= spec.open else {
                evidence["silenceSeconds"] = .number(silence.seconds)
                return ctx.result(.fail, "called again \(Format.seconds(silence)) after \(spec.after) consecutive failures; the circuit should stay open for \(spec.open)",
                                  evidence: evidence, events: [ctx.reference("circuit opened", opener), ctx.reference("attempt while open", trial)])
            }
            trials += 1
            // Half-open: exactly one attempt until the trial's outcome is known.
            let concurrent = attempts[(i + 1)...].filter { $0.t < trial.settled }
            if let extra = concurrent.first {
                return ctx.result(.fail, "\(concurrent.count + 1) attempts while half-open at \(Format.seconds(trial.t)); expected a single trial",
                                  evidence: evidence, events: [ctx.reference("trial", trial), ctx.reference("extra attempt", extra)])
            }
            i += 1
            if trial.fails(spec.failures) {
                (opened, opener) = (trial.settled, trial)
                continue
            }
            evidence["trials"] = .number(Double(trials))
            evidence["closedAt"] = .number(trial.settled.seconds)
            let resumed = i < attempts.count
            let tail = ctx.window.end - trial.settled
            if !resumed && tail > spec.open {
                return ctx.result(.fail, "the trial at \(Format.seconds(trial.t)) succeeded but traffic did not resume (no attempt in the \(Format.seconds(tail)) left)",
                                  evidence: evidence, events: [ctx.reference("successful trial", trial)])
            }
            return ctx.result(.pass, "opened after \(spec.after) failures at \(Format.seconds(opener.settled)), stayed open \(Format.seconds(silence)), \(trials) trial(s), closed at \(Format.seconds(trial.settled))",
                              evidence: evidence, events: [ctx.reference("circuit opened", opener), ctx.reference("successful trial", trial)])
        }
    }
}
