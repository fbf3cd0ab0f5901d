import FaultlineCore
/// Something the client must do, judged from the run's history after the timeline ends.
public struct Expectation: Codable, Sendable, Equatable {
    public var name: String
    /// The part of the run the expectation is judged in.
    public var window: Window
    public var kind: ExpectationKind
    /// How much the expectation counts in the resilience score (`weight:`, 1 to 100); nil counts as 1.
    public var weight: Int?

    public init(name: String, window: Window = Window(), kind: ExpectationKind, weight: Int? = nil) {
        self.name = name
        self.window = window
        self.kind = kind
        self.weight = weight
    }
}

/// Every kind of expectation. Each is checked by a pure function of the history.
public enum ExpectationKind: Codable, Sendable, Equatable {
    case process(ProcessExpectation)
    case probe(ProbeExpectation)
    case requests(RequestsExpectation)
    case retries(RetriesExpectation)
    case circuitBreaker(CircuitBreakerExpectation)
    case failover(FailoverExpectation)
    case failback(FailoverExpectation)
    case noStorm(NoStormExpectation)
    case availability(ServiceLevelExpectation)
    case latency(ServiceLevelExpectation)
    case recovery(RecoveryExpectation)
    case dns(DNSQueriesExpectation)

    public var keyword: String {
        switch self {
        case .process: "process"
        case .probe: "probe"
        case .requests: "requests"
        case .retries: "retries"
        case .circuitBreaker: "circuit-breaker"
        case .failover: "failover"
        case .failback: "failback"
        case .noStorm: "no-storm"
        case .availability: "availability"
        case .latency: "latency"
        case .recovery: "recovery"
        case .dns: "dns"
        }
    }
}

/// A host's program: still running, exited with a code, or printed a line matching a pattern.
public struct ProcessExpectation: Codable, Sendable, Equatable {
    public var host: String
    /// `running: true`: the process never exited in the window and was alive at its end.
    public var running: Bool?
    /// `exit: 0`: the process exited in the window with this code.
    public var exitCode: Int32?
    /// `output: "fallback to cache"`: some output line in the window matches this regular expression.
    public var output: String?

    public init(host: String, running: Bool? = nil, exitCode: Int32? = nil, output: String? = nil) {
        self.host = host
        self.running = running
        self.exitCode = exitCode
        self.output = output
    }
}

/// A probe run continuously from inside a host, and the success it must reach in the window.
public struct ProbeExpectation: Codable, Sendable, Equatable {
    public var from: String
    public var target: ProbeTarget
    public var every: TimeSpan
    /// How long one attempt may take before it counts as a failure.
    public var timeout: TimeSpan
    public var success: RatioRequirement

    public init(
        from: String, target: ProbeTarget, every: TimeSpan = .milliseconds(200),
        timeout: TimeSpan = .seconds(1), success: RatioRequirement
    ) {
        self.from = from
        self.target = target
        self.every = every
        self.timeout = timeout
        self.success = success
    }
}

/// What a probe attempts: an HTTP GET (success = status below 400), a TCP connect, a name
/// lookup through the host's own resolver (success = an address), or a command run in the host
/// (success = exit 0).
public enum ProbeTarget: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    case http(URLTarget)
    case tcp(host: String, port: UInt16)
    case dns(name: String)
    case command(String)

    /// The scenario host the probe talks to, for http and tcp.
    public var host: String? {
        switch self {
        case .http(let u): u.host
        case .tcp(let h, _): h
        case .dns, .command: nil
        }
    }

    public var description: String {
        switch self {
        case .http(let u): u.description
        case .tcp(let h, let p): "tcp://\(h):\(p)"
        case .dns(let name): "dns:\(name)"
        case .command(let c): "command:\(c)"
        }
    }
}

/// The part of the timeline an expectation looks at.
///
/// - `during: F` — from F's actual apply to its actual heal;
/// - `after: F` (+ `within: T`) — from F's actual heal plus T to the end of the run;
/// - `before: F` — from t = 0 to F's actual apply;
/// - `from:`/`until:` — offsets from t = 0 that narrow the window further.
/// With none of these the window is the whole timeline.
public struct Window: Codable, Sendable, Equatable {
    public var during: String?
    public var after: String?
    public var before: String?
    public var within: TimeSpan?
    public var from: TimeSpan?
    public var until: TimeSpan?

    public init(
        during: String? = nil, after: String? = nil, before: String? = nil,
        within: TimeSpan? = nil, from: TimeSpan? = nil, until: TimeSpan? = nil
    ) {
        self.during = during
        self.after = after
        self.before = before
        self.within = within
        self.from = from
        self.until = until
    }
}
