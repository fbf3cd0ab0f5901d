import FaultlineCore
/// How many requests (or connection attempts) the client made, or how fast.
public struct RequestsExpectation: Codable, Sendable, Equatable {
    public var traffic: TrafficSelector
    /// Count only attempts with these outcomes (nil: all).
    public var outcomes: [OutcomePattern]?
    /// `count: "<= 5"` or `rate: "<= 5/s"` (a rate is per second over the window).
    public var bound: NumberRequirement

    public init(traffic: TrafficSelector, outcomes: [OutcomePattern]? = nil, bound: NumberRequirement) {
        self.traffic = traffic
        self.outcomes = outcomes
        self.bound = bound
    }
}

/// What the client does after a failure: how many times it retries and how long it waits.
///
/// Attempts are grouped into calls: an attempt that follows a failure within `call-gap` is a
/// retry of the same call; a success, or a longer pause, ends the call.
public struct RetriesExpectation: Codable, Sendable, Equatable {
    public var traffic: TrafficSelector
    /// What counts as a failure that a retry may follow.
    public var failures: [OutcomePattern]
    /// Retries per failing call (attempts after the first).
    public var count: NumberRequirement?
    /// The expected waits, one per retry.
    public var gaps: [TimeSpan]?
    public var backoff: ExponentialBackoff?
    public var tolerance: Tolerance
    /// Each retry after an answer with `Retry-After` waits at least that long.
    public var honoursRetryAfter: Bool?
    /// The longest pause still counted as a retry of the same call.
    public var callGap: TimeSpan

    public init(
        traffic: TrafficSelector, failures: [OutcomePattern] = OutcomePattern.defaultFailures,
        count: NumberRequirement? = nil, gaps: [TimeSpan]? = nil, backoff: ExponentialBackoff? = nil,
        tolerance: Tolerance = .default, honoursRetryAfter: Bool? = nil, callGap: TimeSpan = .seconds(60)
    ) {
        self.traffic = traffic
        self.failures = failures
        self.count = count
        self.gaps = gaps
        self.backoff = backoff
        self.tolerance = tolerance
        self.honoursRetryAfter = honoursRetryAfter
        self.callGap = callGap
    }
}

/// After `after` consecutive failures the client stops calling for at least `open`, then sends a
/// single trial request (half-open), and resumes normal traffic once a trial succeeds.
public struct CircuitBreakerExpectation: Codable, Sendable, Equatable {
    public var traffic: TrafficSelector
    public var failures: [OutcomePattern]
    /// Consecutive failures that must open the circuit.
    public var after: Int
    /// How long the circuit stays open: no attempt for at least this long.
    public var open: TimeSpan

    public init(traffic: TrafficSelector, failures: [OutcomePattern] = OutcomePattern.defaultFailures, after: Int, open: TimeSpan) {
        self.traffic = traffic
        self.failures = failures
        self.after = after
        self.open = open
    }
}

/// The client switches to its fallback (`failover`: first success to `fallback` within `within`
/// of the window's start) or back to its primary (`failback`: first success to `primary` within
/// `within` of the `after:` fault's heal).
public struct FailoverExpectation: Codable, Sendable, Equatable {
    public var from: String
    public var primary: String
    public var fallback: String?
    public var within: TimeSpan

    public init(from: String, primary: String, fallback: String? = nil, within: TimeSpan) {
        self.from = from
        self.primary = primary
        self.fallback = fallback
        self.within = within
    }
}

/// During a fault the client's attempt rate stays within `factor` × its rate before the fault
/// (and, if given, under `maxRate` per second).
public struct NoStormExpectation: Codable, Sendable, Equatable {
    public var traffic: TrafficSelector
    public var factor: Double?
    public var maxRate: Double?

    public init(traffic: TrafficSelector, factor: Double? = nil, maxRate: Double? = nil) {
        self.traffic = traffic
        self.factor = factor
        self.maxRate = maxRate
    }
}

/// The share of the client's attempts that succeeded, and how fast answers came.
public struct ServiceLevelExpectation: Codable, Sendable, Equatable {
    public var traffic: TrafficSelector
    public var failures: [OutcomePattern]
    public var success: RatioRequirement?
    public var p50: DurationRequirement?
    public var p99: DurationRequirement?

    public init(
        traffic: TrafficSelector, failures: [OutcomePattern] = OutcomePattern.defaultFailures,
        success: RatioRequirement? = nil, p50: DurationRequirement? = nil, p99: DurationRequirement? = nil
    ) {
        self.traffic = traffic
        self.failures = failures
        self.success = success
        self.p50 = p50
        self.p99 = p99
    }
}

/// From the `after:` fault's heal to the client's first successful attempt: at most `within`.
public struct RecoveryExpectation: Codable, Sendable, Equatable {
    public var traffic: TrafficSelector
    public var failures: [OutcomePattern]
    public var within: TimeSpan

    public init(traffic: TrafficSelector, failures: [OutcomePattern] = OutcomePattern.defaultFailures, within: TimeSpan) {
        self.traffic = traffic
        self.failures = failures
        self.within = within
    }
}

/// The client's DNS queries, as the scenario's DNS server answered them: how many (or how fast),
/// optionally only for a name (`*` globs) and for some answer codes (`nxdomain`, `servfail`, …).
public struct DNSQueriesExpectation: Codable, Sendable, Equatable {
    public var from: String
    public var name: String?
    /// Lower-case rcode names; nil: any answer, or none.
    public var rcodes: [String]?
    /// `count: "<= 10"` or `rate: "<= 2/s"` over the window.
    public var bound: NumberRequirement?
    /// The busiest second may hold at most this many queries.
    public var maxRate: Double?

    public init(from: String, name: String? = nil, rcodes: [String]? = nil, bound: NumberRequirement? = nil, maxRate: Double? = nil) {
        self.from = from
        self.name = name
        self.rcodes = rcodes
        self.bound = bound
        self.maxRate = maxRate
    }
}
