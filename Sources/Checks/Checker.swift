import FaultlineCore
import RunHistory
import ScenarioFormat

/// Judges every expectation of a scenario from the run's history: a pure function, no I/O.
public enum Checker {
    /// One result per expectation, in the scenario's order.
    public static func evaluate(scenario: Scenario, history: [Event]) -> [CheckResult] {
        let resolver = WindowResolver(history: history)
        let log = AttemptLog(history: history)
        return scenario.expectations.map { evaluate($0, resolver: resolver, history: history, log: log) }
    }

    /// Judges one expectation. A window the history cannot place, or a check that throws, gives
    /// `unknown` with the reason; it never stops the other checks.
    public static func evaluate(
        _ expectation: Expectation, resolver: WindowResolver, history: [Event], log: AttemptLog? = nil
    ) -> CheckResult {
        let window: ResolvedWindow
        do {
            window = try resolver.resolve(expectation.window)
        } catch {
            return .unknown(expectation, reason: error.description)
        }
        switch expectation.kind {
        case .process(let spec):
            return ProcessCheck(name: expectation.name, spec: spec).evaluate(in: window, history: history)
        case .probe(let spec):
            return ProbeCheck(name: expectation.name, spec: spec).evaluate(in: window, history: history)
        case .dns(let spec):
            return DNSQueriesCheck(name: expectation.name, spec: spec).evaluate(in: window, history: history)
        case .requests, .retries, .circuitBreaker, .failover, .failback, .noStorm, .availability, .latency, .recovery:
            let ctx = TrafficContext(name: expectation.name, kind: expectation.kind.keyword, window: window, log: log ?? AttemptLog(history: history))
            return evaluateTraffic(expectation.kind, ctx, timelineStart: resolver.timelineStart ?? .zero)
        }
    }

    /// The checks on the client's own traffic, all read from one ``AttemptLog``.
    static func evaluateTraffic(_ kind: ExpectationKind, _ ctx: TrafficContext, timelineStart: TimeSpan) -> CheckResult {
        switch kind {
        case .requests(let spec): RequestsCheck(spec: spec).evaluate(ctx)
        case .retries(let spec): RetriesCheck(spec: spec).evaluate(ctx)
        case .circuitBreaker(let spec): CircuitBreakerCheck(spec: spec).evaluate(ctx)
        case .failover(let spec): FailoverCheck(spec: spec, back: false).evaluate(ctx)
        case .failback(let spec): FailoverCheck(spec: spec, back: true).evaluate(ctx)
        case .noStorm(let spec): NoStormCheck(spec: spec, timelineStart: timelineStart).evaluate(ctx)
        case .availability(let spec), .latency(let spec): ServiceLevelCheck(spec: spec).evaluate(ctx)
        case .recovery(let spec): RecoveryCheck(spec: spec).evaluate(ctx)
        case .process, .probe, .dns:
            CheckResult(expectation: ctx.name, kind: ctx.kind, verdict: .unknown, summary: "not a traffic expectation", window: ctx.window)
        }
    }

    /// The run's verdict: fail if any result fails, else unknown if any is unknown, else pass.
    ///
    /// A scenario without expectations is `unknown`, not `pass`: a run that asserted nothing
    /// proved nothing, and CI should not count it green.
    public static func overall(_ results: [CheckResult]) -> Verdict {
        Verdict.combining(results.map(\.verdict))
    }

    /// One line explaining ``overall(_:)``: `2 of 3 expectations failed`, `no expectations`.
    public static func overallSummary(_ results: [CheckResult]) -> String {
        guard !results.isEmpty else { return "no expectations" }
        let count = { (v: Verdict) in results.count { $0.verdict == v } }
        let total = results.count
        let noun = total == 1 ? "expectation" : "expectations"
        switch overall(results) {
        case .fail: return "\(count(.fail)) of \(total) \(noun) failed"
        case .unknown: return "\(count(.unknown)) of \(total) \(noun) could not be judged"
        case .pass: return total == 1 ? "the expectation passed" : "all \(total) expectations passed"
        }
    }
}
