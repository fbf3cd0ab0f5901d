import RunHistory
import ScenarioFormat

/// Judges the client's DNS queries (the `dns.query` events of the scenario's DNS server): how
/// many in the window, how fast on average, and how many in the busiest second.
public struct DNSQueriesCheck: Sendable {
    public var name: String
    public var spec: DNSQueriesExpectation

    public init(name: String, spec: DNSQueriesExpectation) {
        self.name = name
        self.spec = spec
    }

    public func evaluate(in window: ResolvedWindow, history: [Event]) -> CheckResult {
        var served = false
        var times: [TimeSpan] = []
        var first: EventReference?
        for (i, e) in history.enumerated() {
            guard case .dnsQuery(let host, let qname, _, _, let rcode, _, _, _, _) = e.kind else { continue }
            served = true
            guard host == spec.from, window.contains(e.t) else { continue }
            if let pattern = spec.name, !Attempt.glob(pattern.lowercased(), qname.lowercased().trimmingSuffix(".")) { continue }
            if let rcodes = spec.rcodes, !rcodes.contains(rcode.lowercased().isEmpty ? "none" : rcode.lowercased()) { continue }
            times.append(e.t)
            if first == nil { first = EventReference(label: "first matching query", index: i, t: e.t) }
        }
        guard served else {
            return CheckResult(expectation: name, kind: "dns", verdict: .unknown,
                               summary: "the scenario's DNS server recorded no query at all", window: window)
        }
        let seconds = max((window.end - window.start).seconds, 1e-9)
        let rate = Double(times.count) / seconds
        let peak = NoStormCheck.peakPerSecond(times.sorted())
        var evidence: [String: EvidenceValue] = [
            "queries": .number(Double(times.count)), "ratePerSecond": .number(rate), "peakPerSecond": .number(Double(peak)),
        ]
        var problems: [String] = []
        if let bound = spec.bound {
            evidence["required"] = .string(bound.description)
            let measured = bound.perSecond ? rate : Double(times.count)
            if !bound.holds(measured) {
                problems.append(bound.perSecond ? "\(Format.number(rate, decimals: 2)) queries/s, required \(bound)" : "\(times.count) queries, required \(bound)")
            }
        }
        if let maxRate = spec.maxRate, Double(peak) > maxRate {
            problems.append("\(peak) queries in one second (allowed \(Format.number(maxRate, decimals: 1))/s)")
        }
        let summary = "\(times.count) queries (\(Format.number(rate, decimals: 2))/s, busiest second \(peak))"
        return CheckResult(
            expectation: name, kind: "dns", verdict: problems.isEmpty ? .pass : .fail,
            summary: problems.first ?? summary, evidence: evidence, window: window, events: first.map { [$0] } ?? [])
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
