import FaultlineCore
import RunHistory
import ScenarioFormat

/// What the client does after a failure: the retries of each failing call, their count and the
/// waits between them, against a schedule or a backoff law, and whether it honours `Retry-After`.
///
/// A wait is measured from when the client learned the previous attempt's outcome (the answer,
/// the RST) to the next attempt's first byte; for an attempt never answered, from its start.
struct RetriesCheck {
    var spec: RetriesExpectation

    /// One call: its first attempt and the retries that followed failures.
    struct Call {
        var attempts: [Attempt]
        var retries: Int { attempts.count - 1 }
        /// The waits before each retry.
        var gaps: [TimeSpan] { zip(attempts, attempts.dropFirst()).map { $1.t - $0.settled } }
    }

    /// Groups attempts into calls: an attempt within `callGap` of a failed one is its retry.
    static func calls(_ attempts: [Attempt], failures: [OutcomePattern], callGap: TimeSpan) -> [Call] {
        var calls: [Call] = []
        var current: [Attempt] = []
        for a in attempts {
            if let last = current.last, last.fails(failures), a.t - last.settled <= callGap {
                current.append(a)
            } else {
                if !current.isEmpty { calls.append(Call(attempts: current)) }
                current = [a]
            }
        }
        if !current.isEmpty { calls.append(Call(attempts: current)) }
        return calls
    }

    func evaluate(_ ctx: TrafficContext) -> CheckResult {
        if let u = ctx.unobserved() { return u }
        let attempts = ctx.log.attempts(spec.traffic, in: ctx.window)
        if let u = ctx.undecoded(attempts) { return u }
        let failing = Self.calls(attempts, failures: spec.failures, callGap: spec.callGap)
            .filter { $0.attempts[0].fails(spec.failures) }
        guard !failing.isEmpty else {
            return ctx.result(.unknown, "the client met no failure in the window (\(attempts.count) attempts), so there was nothing to retry",
                              evidence: ["attempts": .number(Double(attempts.count))])
        }
        let onlyRetryAfter = spec.count == nil && spec.gaps == nil && spec.backoff == nil
        if onlyRetryAfter, !failing.contains(where: { $0.attempts.contains { $0.retryAfterDelay != nil || $0.retryRefused } }) {
            return ctx.result(.unknown, "no failure in the window carried Retry-After or grpc-retry-pushback-ms, so there was nothing to honour",
                              evidence: ["failingCalls": .number(Double(failing.count))])
        }
        var violations: [(String, Attempt)] = []
        for call in failing {
            violations += countViolations(call) + gapViolations(call) + retryAfterViolations(call)
        }
        var evidence: [String: EvidenceValue] = [
            "failingCalls": .number(Double(failing.count)),
            "retries": .string(failing.map { String($0.retries) }.joined(separator: ", ")),
            "gaps": .string(failing.map { $0.gaps.map { Format.seconds($0) }.joined(separator: " ") }.joined(separator: " | ")),
        ]
        if let expected = expectedText { evidence["expected"] = .string(expected) }
        let first = failing[0]
        let shown = "call at \(Format.seconds(first.attempts[0].t)): \(first.retries) retries" +
            (first.gaps.isEmpty ? "" : ", gaps \(first.gaps.map { Format.seconds($0) }.joined(separator: ", "))")
        guard violations.isEmpty else {
            evidence["violations"] = .string(violations.map(\.0).joined(separator: "; "))
            return ctx.result(.fail, violations[0].0 + " (\(failing.count) failing call\(failing.count == 1 ? "" : "s"); \(shown))",
                              evidence: evidence, events: violations.prefix(3).map { ctx.reference($0.0, $0.1) })
        }
        return ctx.result(.pass, "\(failing.count) failing call\(failing.count == 1 ? "" : "s") as expected; \(shown)",
                          evidence: evidence, events: [ctx.reference("first failing call", first.attempts[0])])
    }

    private var expectedText: String? {
        var parts: [String] = []
        if let c = spec.count { parts.append("retries \(c)") }
        if let g = spec.gaps { parts.append("gaps \(g.map(\.description).joined(separator: ", ")) \(spec.tolerance)") }
        if let b = spec.backoff { parts.append("\(b) \(spec.tolerance)") }
        if spec.honoursRetryAfter == true { parts.append("honours Retry-After") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    private func countViolations(_ call: Call) -> [(String, Attempt)] {
        guard let bound = spec.count, !bound.holds(Double(call.retries)) else { return [] }
        return [("call at \(Format.seconds(call.attempts[0].t)) made \(call.retries) retries, expected \(bound)", call.attempts[0])]
    }

    private func gapViolations(_ call: Call) -> [(String, Attempt)] {
        var out: [(String, Attempt)] = []
        for (i, gap) in call.gaps.enumerated() {
            let retry = call.attempts[i + 1]
            let allowed: ClosedRange<TimeSpan>
            if let schedule = spec.gaps {
                guard i < schedule.count else {
                    out.append(("retry \(i + 1) at \(Format.seconds(retry.t)) goes beyond the \(schedule.count)-step schedule", retry))
                    continue
                }
                allowed = spec.tolerance.bounds(around: schedule[i])
            } else if let law = spec.backoff {
                let range = law.range(retry: i + 1)
                allowed = spec.tolerance.bounds(around: range.lowerBound).lowerBound...spec.tolerance.bounds(around: range.upperBound).upperBound
            } else {
                continue
            }
            if !allowed.contains(gap) {
                out.append(("retry \(i + 1) waited \(Format.seconds(gap)), expected \(Format.seconds(allowed.lowerBound))…\(Format.seconds(allowed.upperBound))", retry))
            }
        }
        return out
    }

    private func retryAfterViolations(_ call: Call) -> [(String, Attempt)] {
        guard spec.honoursRetryAfter == true else { return [] }
        var out: [(String, Attempt)] = []
        for (prev, next) in zip(call.attempts, call.attempts.dropFirst()) {
            if prev.retryRefused {
                out.append(("retried although the answer said \(prev.retryAfterText) (do not retry)", next))
                continue
            }
            guard let wait = prev.retryAfterDelay else { continue }
            let gap = next.t - prev.settled
            let least = spec.tolerance.bounds(around: wait).lowerBound
            if gap < least {
                out.append(("retried after \(Format.seconds(gap)) although the answer said \(prev.retryAfterText)", next))
            }
        }
        return out
    }
}
