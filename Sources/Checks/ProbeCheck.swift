import FaultlineCore
import RunHistory
import ScenarioFormat

/// Judges a probe expectation: the share of successful attempts in the window against the requirement.
///
/// Attempts are the `probe` events whose `probe` field is the expectation's name. Latency
/// percentiles are taken over successful attempts only (a failed attempt's latency is how long
/// it took to fail, which says nothing about service speed). When the window follows a heal,
/// the recovery time — heal to the first successful attempt — is reported as evidence.
public struct ProbeCheck: Sendable {
    public var name: String
    public var spec: ProbeExpectation

    public init(name: String, spec: ProbeExpectation) {
        self.name = name
        self.spec = spec
    }

    public func evaluate(in window: ResolvedWindow, history: [Event]) -> CheckResult {
        var attempts = 0
        var latencies: [TimeSpan] = []
        var firstFailure: (index: Int, t: TimeSpan)?
        var lastFailure: (index: Int, t: TimeSpan)?
        var firstRecovery: (index: Int, t: TimeSpan)?

        for (i, e) in history.enumerated() {
            guard case .probe(let probe, _, _, let ok, let latency, _) = e.kind, probe == name else { continue }
            if ok, firstRecovery == nil, let healed = window.healedAt, e.t >= healed {
                firstRecovery = (i, e.t)
            }
            guard window.contains(e.t) else { continue }
            attempts += 1
            if ok {
                latencies.append(latency)
            } else {
                if firstFailure == nil { firstFailure = (i, e.t) }
                lastFailure = (i, e.t)
            }
        }

        var evidence: [String: EvidenceValue] = [:]
        var events: [EventReference] = []
        var recoveryText: String?
        if let healed = window.healedAt {
            if let r = firstRecovery {
                evidence["recoverySeconds"] = .number((r.t - healed).seconds)
                events.append(EventReference(label: "first success after heal", index: r.index, t: r.t))
                recoveryText = "recovery \(Format.seconds(r.t - healed))"
            } else {
                evidence["recovered"] = false
                recoveryText = "no successful attempt after the heal"
            }
        }

        guard attempts > 0 else {
            return CheckResult(
                expectation: name, kind: "probe", verdict: .unknown,
                summary: "no probe attempts in window \(window)", evidence: evidence, window: window,
                events: events)
        }

        let successes = latencies.count
        let ratio = Double(successes) / Double(attempts)
        evidence["attempts"] = .number(Double(attempts))
        evidence["successes"] = .number(Double(successes))
        evidence["failures"] = .number(Double(attempts - successes))
        evidence["successRatio"] = .number(ratio)
        evidence["required"] = .string(spec.success.description)
        latencies.sort()
        if let p50 = Self.percentile(0.50, ofSorted: latencies) { evidence["latencyP50Seconds"] = .number(p50.seconds) }
        if let p99 = Self.percentile(0.99, ofSorted: latencies) { evidence["latencyP99Seconds"] = .number(p99.seconds) }
        if let f = firstFailure {
            evidence["firstFailureSeconds"] = .number(f.t.seconds)
            events.insert(EventReference(label: "first failure", index: f.index, t: f.t), at: 0)
        }
        if let l = lastFailure {
            evidence["lastFailureSeconds"] = .number(l.t.seconds)
            events.insert(EventReference(label: "last failure", index: l.index, t: l.t), at: firstFailure == nil ? 0 : 1)
        }

        let holds = spec.success.holds(ratio)
        var summary = "success \(Format.percent(ratio)) (\(successes)/\(attempts))"
        if !holds {
            // "62.5% < required >= 99%" reads right for a lower bound; other bounds are spelled out.
            let relation = [.atLeast, .greater].contains(spec.success.op) ? "<" : "does not meet"
            summary += " \(relation) required \(spec.success)"
        }
        if let recoveryText { summary += ", \(recoveryText)" }
        return CheckResult(
            expectation: name, kind: "probe", verdict: holds ? .pass : .fail, summary: summary,
            evidence: evidence, window: window, events: events)
    }

    /// The nearest-rank percentile: the smallest value with at least `p` of the values at or below it.
    static func percentile(_ p: Double, ofSorted values: [TimeSpan]) -> TimeSpan? {
        guard !values.isEmpty else { return nil }
        let rank = Int((p * Double(values.count)).rounded(.up))
        return values[min(max(rank, 1), values.count) - 1]
    }
}
