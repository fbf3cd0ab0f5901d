import FaultlineCore
import RunHistory
import ScenarioFormat

/// What every check on the client's traffic shares: the attempts it judges, and the unknown
/// verdict when the run observed no traffic at all.
struct TrafficContext {
    var name: String
    var kind: String
    var window: ResolvedWindow
    var log: AttemptLog

    /// `unknown` when the history holds no traffic source (no capture, no stand-in service).
    func unobserved() -> CheckResult? {
        guard log.source == nil else { return nil }
        return CheckResult(
            expectation: name, kind: kind, verdict: .unknown,
            summary: "no traffic was observed: the run had no capture and no stand-in service", window: window)
    }

    /// `unknown` when any of `attempts` carried traffic the observer cannot read (TLS, HTTP/2, …):
    /// a judge never passes — or fails — what it cannot see. Calls inside such a connection can be
    /// many or none, answered or not, so no count, rate, gap or ratio over these attempts holds.
    func undecoded(_ attempts: [Attempt]) -> CheckResult? {
        let unreadable = attempts.filter { $0.undecodedReason != nil }
        guard let first = unreadable.first, let why = first.undecodedReason else { return nil }
        let reasons = Set(unreadable.compactMap(\.undecodedReason)).sorted()
        return result(
            .unknown,
            "\(unreadable.count) of \(attempts.count) attempts carried traffic the observer cannot judge: \(reasons.joined(separator: "; "))",
            evidence: ["attempts": .number(Double(attempts.count)), "undecoded": .number(Double(unreadable.count)),
                       "undecodedReason": .string(why)],
            events: [reference("first undecoded connection", first)])
    }

    /// The result, with the capture's drops added to the evidence (and to the summary of a pass,
    /// which drops make less certain).
    func result(
        _ verdict: Verdict, _ summary: String, evidence: [String: EvidenceValue] = [:], events: [EventReference] = []
    ) -> CheckResult {
        var evidence = evidence
        var summary = summary
        var verdict = verdict
        evidence["source"] = .string(log.source ?? "none")
        if log.captureDrops > 0 {
            evidence["captureDrops"] = .number(Double(log.captureDrops))
            summary += " (the capture dropped \(log.captureDrops) packets)"
            if verdict == .pass { verdict = .unknown }
        }
        return CheckResult(expectation: name, kind: kind, verdict: verdict, summary: summary, evidence: evidence, window: window, events: events)
    }

    func reference(_ label: String, _ a: Attempt) -> EventReference { EventReference(label: label, index: a.index, t: a.t) }
}

extension Array where Element == TimeSpan {
    /// Nearest-rank percentile (`p` in 0...1).
    func percentile(_ p: Double) -> TimeSpan? {
        guard !isEmpty else { return nil }
        let sorted = self.sorted()
        let rank = Swift.max(1, Int((p * Double(sorted.count)).rounded(.up)))
        return sorted[Swift.min(rank, sorted.count) - 1]
    }
}
