import FaultlineCore
import Foundation

/// Reading the expectations on the client's own traffic: requests, retries, circuit breaker,
/// failover/failback, no-storm, availability, latency, recovery.
extension ScenarioBuilder {
    static let selectorKeys = ["from", "to", "port", "path", "method"]
    static let clientExpectationKeys: [ExpectationKindKey: [String]] = [
        .requests: selectorKeys + ["outcomes", "count", "rate"],
        .retries: selectorKeys + ["failures", "count", "gaps", "exponential", "tolerance", "honours-retry-after", "call-gap"],
        .circuitBreaker: selectorKeys + ["failures", "after", "open"],
        .failover: ["from", "primary", "fallback", "within"],
        .failback: ["from", "primary", "within"],
        .noStorm: selectorKeys + ["factor", "max-rate"],
        .availability: selectorKeys + ["failures", "success"],
        .latency: selectorKeys + ["p50", "p99"],
        .recovery: selectorKeys + ["failures", "within"],
        .dns: ["from", "name", "rcode", "count", "rate", "max-rate"],
    ]
    static let rcodeNames = ["noerror", "formerr", "servfail", "nxdomain", "notimp", "refused", "none"]
    static let backoffKeys = ["initial", "factor", "max", "jitter"]

    func readClientExpectation(_ kind: ExpectationKindKey, _ node: YAMLNode, _ path: String, window: Window) -> ExpectationKind? {
        guard let f = r.fields(node, path, allowed: Self.clientExpectationKeys[kind] ?? []) else { return nil }
        let errorsBefore = r.errorCount
        let result: ExpectationKind?
        switch kind {
        case .requests: result = readRequests(f).map(ExpectationKind.requests)
        case .retries: result = readRetries(f).map(ExpectationKind.retries)
        case .circuitBreaker: result = readCircuitBreaker(f).map(ExpectationKind.circuitBreaker)
        case .failover: result = readFailover(f, fallback: true).map(ExpectationKind.failover)
        case .failback:
            if window.after == nil {
                r.error(node, path, "failback counts from a fault's heal; add 'after: <fault>' to the expectation")
            }
            result = readFailover(f, fallback: false).map(ExpectationKind.failback)
        case .noStorm: result = readNoStorm(f).map(ExpectationKind.noStorm)
        case .availability: result = readServiceLevel(f, latency: false).map(ExpectationKind.availability)
        case .latency: result = readServiceLevel(f, latency: true).map(ExpectationKind.latency)
        case .recovery:
            if window.after == nil {
                r.error(node, path, "recovery counts from a fault's heal; add 'after: <fault>' to the expectation")
            }
            result = readRecovery(f).map(ExpectationKind.recovery)
        case .dns: result = readDNSQueries(f).map(ExpectationKind.dns)
        case .process, .probe: result = nil
        }
        return r.errorCount == errorsBefore ? result : nil
    }

    // MARK: Kinds

    private func readRequests(_ f: Fields) -> RequestsExpectation? {
        let traffic = readSelector(f)
        let outcomes = f["outcomes"].flatMap { outcomePatterns($0, f.path("outcomes")) }
        var bound: NumberRequirement?
        switch (f["count"], f["rate"]) {
        case (let n?, nil): bound = number(n, f.path("count"), rate: false)
        case (nil, let n?): bound = number(n, f.path("rate"), rate: true)
        case (_?, _?): r.error(f.keyNode("rate"), f.path("rate"), "give either count or rate, not both")
        case (nil, nil): r.error(f.node, f.path, "requests needs count: \"<= 5\" or rate: \"<= 5/s\"")
        }
        guard let traffic, let bound else { return nil }
        return RequestsExpectation(traffic: traffic, outcomes: outcomes, bound: bound)
    }

    private func readRetries(_ f: Fields) -> RetriesExpectation? {
        let traffic = readSelector(f)
        var e = RetriesExpectation(traffic: traffic ?? TrafficSelector(from: ""))
        if let n = f["failures"], let p = outcomePatterns(n, f.path("failures")) { e.failures = p }
        if let n = f["count"] { e.count = number(n, f.path("count"), rate: false) }
        if let n = f["gaps"], let items = r.list(n, f.path("gaps")) {
            e.gaps = items.enumerated().compactMap { i, item in r.timeSpan(item, "\(f.path("gaps"))[\(i)]") }
            if items.isEmpty { r.error(n, f.path("gaps"), "the schedule is empty; list the expected waits, e.g. [100ms, 300ms, 1s]") }
        }
        if let n = f["exponential"] { e.backoff = readBackoff(n, f.path("exponential")) }
        if f.has("gaps") && f.has("exponential") {
            r.error(f.keyNode("exponential"), f.path("exponential"), "give either gaps (a schedule) or exponential (a law), not both")
        }
        if let n = f["tolerance"] { e.tolerance = tolerance(n, f.path("tolerance")) ?? e.tolerance }
        if let n = f["honours-retry-after"] { e.honoursRetryAfter = r.bool(n, f.path("honours-retry-after")) }
        if let n = f["call-gap"], let t = r.timeSpan(n, f.path("call-gap"), positive: true) { e.callGap = t }
        if !["count", "gaps", "exponential", "honours-retry-after"].contains(where: f.has) {
            r.error(f.node, f.path, "retries needs something to check: count, gaps, exponential or honours-retry-after")
        }
        return traffic == nil ? nil : e
    }

    private func readCircuitBreaker(_ f: Fields) -> CircuitBreakerExpectation? {
        let traffic = readSelector(f)
        let failures = f["failures"].flatMap { outcomePatterns($0, f.path("failures")) } ?? OutcomePattern.defaultFailures
        let after = r.require(f, "after", hint: " (consecutive failures that open the circuit)").flatMap { n -> Int? in
            guard let v = r.unsigned(n, f.path("after")) else { return nil }
            guard v >= 1, v <= 10_000 else {
                r.error(n, f.path("after"), "must be from 1 to 10000 consecutive failures")
                return nil
            }
            return Int(v)
        }
        let open = r.require(f, "open", hint: " (how long the circuit stays open)").flatMap {
            r.timeSpan($0, f.path("open"), positive: true)
        }
        guard let traffic, let after, let open else { return nil }
        return CircuitBreakerExpectation(traffic: traffic, failures: failures, after: after, open: open)
    }

    private func readFailover(_ f: Fields, fallback needsFallback: Bool) -> FailoverExpectation? {
        let from = r.require(f, "from").flatMap { hostReference($0, f.path("from")) }
        let primary = r.require(f, "primary").flatMap { hostReference($0, f.path("primary")) }
        let fallback = needsFallback ? r.require(f, "fallback").flatMap { hostReference($0, f.path("fallback")) } : nil
        let within = r.require(f, "within").flatMap { r.timeSpan($0, f.path("within"), positive: true) }
        if let primary, let fallback, primary == fallback, let n = f["fallback"] {
            r.error(n, f.path("fallback"), "the fallback must be another host than the primary ('\(primary)')")
        }
        guard let from, let primary, let within, !needsFallback || fallback != nil else { return nil }
        return FailoverExpectation(from: from, primary: primary, fallback: fallback, within: within)
    }

    private func readNoStorm(_ f: Fields) -> NoStormExpectation? {
        let traffic = readSelector(f)
        var e = NoStormExpectation(traffic: traffic ?? TrafficSelector(from: ""))
        if let n = f["factor"], let t = r.text(n, f.path("factor"), what: "a factor such as 3") {
            if let v = Double(t.hasSuffix("x") || t.hasSuffix("×") ? String(t.dropLast()) : t), v > 0, v.isFinite {
                e.factor = v
            } else {
                r.error(n, f.path("factor"), "expected a positive factor such as 3 (the rate may grow to 3 × the rate before), found '\(t)'")
            }
        }
        if let n = f["max-rate"], let req = number(n, f.path("max-rate"), rate: true) { e.maxRate = req.value }
        if e.factor == nil && e.maxRate == nil && !f.has("factor") && !f.has("max-rate") {
            r.error(f.node, f.path, "no-storm needs factor: 3 (× the rate before the fault) or max-rate: \"10/s\"")
        }
        return traffic == nil ? nil : e
    }

    private func readServiceLevel(_ f: Fields, latency: Bool) -> ServiceLevelExpectation? {
        let traffic = readSelector(f)
        var e = ServiceLevelExpectation(traffic: traffic ?? TrafficSelector(from: ""))
        if let n = f["failures"], let p = outcomePatterns(n, f.path("failures")) { e.failures = p }
        if latency {
            if let n = f["p50"] { e.p50 = durationBound(n, f.path("p50")) }
            if let n = f["p99"] { e.p99 = durationBound(n, f.path("p99")) }
            if !f.has("p50") && !f.has("p99") { r.error(f.node, f.path, "latency needs p50 or p99, e.g. p99: \"<= 200ms\"") }
        } else {
            e.success = r.require(f, "success", hint: " (e.g. success: \">= 99%\")").flatMap { r.ratio($0, f.path("success")) }
        }
        return traffic == nil ? nil : e
    }

    private func readRecovery(_ f: Fields) -> RecoveryExpectation? {
        let traffic = readSelector(f)
        let failures = f["failures"].flatMap { outcomePatterns($0, f.path("failures")) } ?? OutcomePattern.defaultFailures
        let within = r.require(f, "within").flatMap { r.timeSpan($0, f.path("within"), positive: true) }
        guard let traffic, let within else { return nil }
        return RecoveryExpectation(traffic: traffic, failures: failures, within: within)
    }

    private func readDNSQueries(_ f: Fields) -> DNSQueriesExpectation? {
        let from = r.require(f, "from", hint: " (the client's host)").flatMap { hostReference($0, f.path("from")) }
        var e = DNSQueriesExpectation(from: from ?? "")
        if let n = f["name"] { e.name = r.text(n, f.path("name"), what: "a name such as consul.service.consul") }
        if let n = f["rcode"] {
            let items = n.isSequence ? r.list(n, f.path("rcode")) ?? [] : [n]
            e.rcodes = items.compactMap { item in
                guard let t = r.text(item, f.path("rcode"), what: "an answer code")?.lowercased() else { return nil }
                guard Self.rcodeNames.contains(t) else {
                    r.error(item, f.path("rcode"), "unknown answer code '\(t)'; codes: \(Self.rcodeNames.listed)\(Suggestion.hint(for: t, in: Self.rcodeNames))")
                    return nil
                }
                return t
            }
        }
        switch (f["count"], f["rate"]) {
        case (let n?, nil): e.bound = number(n, f.path("count"), rate: false)
        case (nil, let n?): e.bound = number(n, f.path("rate"), rate: true)
        case (_?, _?): r.error(f.keyNode("rate"), f.path("rate"), "give either count or rate, not both")
        case (nil, nil): break
        }
        if let n = f["max-rate"], let req = number(n, f.path("max-rate"), rate: true) { e.maxRate = req.value }
        if !f.has("count") && !f.has("rate") && !f.has("max-rate") {
            r.error(f.node, f.path, "dns needs count, rate or max-rate, e.g. max-rate: \"5/s\"")
        }
        return from == nil ? nil : e
    }

    // MARK: Pieces

    private func readSelector(_ f: Fields) -> TrafficSelector? {
        let from = r.require(f, "from", hint: " (the client's host)").flatMap { hostReference($0, f.path("from")) }
        var s = TrafficSelector(from: from ?? "")
        if let n = f["to"] { s.to = hostReference(n, f.path("to")) }
        if let n = f["port"], let t = r.text(n, f.path("port"), what: "a port") {
            if let p = UInt16(t), p > 0 { s.port = p } else { r.error(n, f.path("port"), "expected a port from 1 to 65535, found '\(t)'") }
        }
        if let n = f["path"], let t = r.text(n, f.path("path"), what: "a path such as /v1/kv/*") {
            if t.hasPrefix("/") || t == "*" { s.path = t } else { r.error(n, f.path("path"), "a path starts with '/', e.g. /v1/kv/*") }
        }
        if let n = f["method"], let t = r.text(n, f.path("method"), what: "an HTTP method") { s.method = t.uppercased() }
        return from == nil ? nil : s
    }

    private func outcomePatterns(_ node: YAMLNode, _ path: String) -> [OutcomePattern]? {
        let items = node.isSequence ? r.list(node, path) ?? [] : [node]
        var patterns: [OutcomePattern] = []
        for (i, item) in items.enumerated() {
            let p = items.count == 1 && node == item ? path : "\(path)[\(i)]"
            guard let t = r.text(item, p, what: "a status code, a class such as 5xx, connection, tls, or a gRPC code") else { continue }
            if let pattern = OutcomePattern(parsing: t) {
                patterns.append(pattern)
            } else {
                r.error(item, p, "unknown outcome '\(t)'; write a status code (503), a class (5xx), connection, tls, a gRPC code (UNAVAILABLE) or grpc-error")
            }
        }
        return patterns.isEmpty ? nil : patterns
    }

    private func number(_ node: YAMLNode, _ path: String, rate: Bool) -> NumberRequirement? {
        guard let t = r.text(node, path, what: rate ? "a rate such as '<= 5/s'" : "a count such as '<= 3'") else { return nil }
        guard let v = NumberRequirement(parsing: t), v.perSecond == rate else {
            r.error(node, path, rate
                ? "not a rate: '\(t)'; write an operator and a number per second, e.g. '<= 5/s'"
                : "not a count: '\(t)'; write an operator and a number, e.g. '<= 3' or '== 0'")
            return nil
        }
        return v
    }

    private func durationBound(_ node: YAMLNode, _ path: String) -> DurationRequirement? {
        guard let t = r.text(node, path, what: "a bound such as '<= 200ms'") else { return nil }
        guard let v = DurationRequirement(parsing: t) else {
            r.error(node, path, "not a duration bound: '\(t)'; write an operator and a duration, e.g. '<= 200ms'")
            return nil
        }
        return v
    }

    private func tolerance(_ node: YAMLNode, _ path: String) -> Tolerance? {
        guard let t = r.text(node, path, what: "a tolerance such as 20% or 20ms") else { return nil }
        let s = t.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "±", with: "").trimmingCharacters(in: .whitespaces)
        if let p = Percentage(parsing: s) { return .relative(p) }
        if let d = TimeSpan(parsing: s) { return .absolute(d) }
        r.error(node, path, "not a tolerance: '\(t)'; write a percentage (20%) or a duration (20ms)")
        return nil
    }

    private func readBackoff(_ node: YAMLNode, _ path: String) -> ExponentialBackoff? {
        guard let f = r.fields(node, path, allowed: Self.backoffKeys) else { return nil }
        let initial = r.require(f, "initial").flatMap { r.timeSpan($0, f.path("initial"), positive: true) }
        var b = ExponentialBackoff(initial: initial ?? .zero)
        if let n = f["factor"], let t = r.text(n, f.path("factor"), what: "a factor such as 2") {
            if let v = Double(t), v >= 1, v <= 100 { b.factor = v } else {
                r.error(n, f.path("factor"), "expected a factor from 1 to 100, found '\(t)'")
            }
        }
        if let n = f["max"] { b.max = r.timeSpan(n, f.path("max"), positive: true) }
        if let n = f["jitter"], let t = r.text(n, f.path("jitter"), what: "a range such as 0..100%") {
            if let (lo, hi) = Self.jitterRange(t) {
                b.jitterLow = lo
                b.jitterHigh = hi
            } else {
                r.error(n, f.path("jitter"), "not a jitter range: '\(t)'; write LOW..HIGH% (each wait is base × (1 + j) for j in the range), e.g. 0..100% or -100%..0%")
            }
        }
        return initial == nil ? nil : b
    }

    /// `0..100%`, `-50%..50%`, `-100..0%` → fractions.
    static func jitterRange(_ text: String) -> (Double, Double)? {
        let parts = text.replacingOccurrences(of: " ", with: "").components(separatedBy: "..")
        guard parts.count == 2 else { return nil }
        func value(_ s: String) -> Double? {
            let v = Double(s.hasSuffix("%") ? String(s.dropLast()) : s)
            return v.flatMap { $0 >= -100 && $0 <= 1000 ? $0 / 100 : nil }
        }
        guard let lo = value(parts[0]), let hi = value(parts[1]), lo <= hi else { return nil }
        return (lo, hi)
    }
}
