import FaultlineCore
import ScenarioFormat

/// The verdict on one expectation, with what was measured and where in the history to look.
public struct CheckResult: Codable, Sendable, Equatable {
    /// The expectation's `name`.
    public var expectation: String
    /// The expectation kind's keyword (`probe`, `process`).
    public var kind: String
    public var verdict: Verdict
    /// One line saying why: `success 62.5% (25/40) < required >= 99%`.
    public var summary: String
    /// The measured values behind the verdict, keyed by what they are (`successRatio`, `pid`, …).
    public var evidence: [String: EvidenceValue]
    /// The part of the timeline judged; nil when it could not be resolved.
    public var window: ResolvedWindow?
    /// The events a reader should look at first (first failure, the exit, the matching line).
    public var events: [EventReference]

    public init(
        expectation: String, kind: String, verdict: Verdict, summary: String,
        evidence: [String: EvidenceValue] = [:], window: ResolvedWindow? = nil, events: [EventReference] = []
    ) {
        self.expectation = expectation
        self.kind = kind
        self.verdict = verdict
        self.summary = summary
        self.evidence = evidence
        self.window = window
        self.events = events
    }

    /// An unknown verdict for an expectation the history cannot answer.
    public static func unknown(
        _ expectation: Expectation, reason: String, window: ResolvedWindow? = nil
    ) -> CheckResult {
        CheckResult(
            expectation: expectation.name, kind: expectation.kind.keyword, verdict: .unknown,
            summary: reason, window: window)
    }
}

/// A pointer to one event of the history: its position in the array the checks were given and its time.
public struct EventReference: Codable, Sendable, Equatable {
    /// What the event is to this check: `first failure`, `exit`, `matching line`.
    public var label: String
    /// The event's index in the history.
    public var index: Int
    public var t: TimeSpan

    public init(label: String, index: Int, t: TimeSpan) {
        self.label = label
        self.index = index
        self.t = t
    }
}
