import FaultlineCore
import RunHistory
import ScenarioFormat

/// Judges the client's DNS queries: how many in the window, how fast on average, and how many in
/// the busiest second. It reads the scenario's DNS server (`dns.query`), which sees every query
/// to it, intercepted ones included, and from the wire (`dns.message`) only the queries sent to a
/// resolver that is one of the scenario's hosts, which the server never sees: nothing counts twice.
/// A wire query with no answer seen has rcode `none`.
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
        // Queries to a resolver that is one of the scenario's hosts never reach Faultline's
        // server; the capture sees them (as `dns.message`), so they count from the wire.
        var hosts: Set<String> = []
        for e in history { if case .testbedReady(let addresses) = e.kind { hosts.formUnion(addresses.keys) } }
        /// `rcode`: the answer's lower-case name, `none` for a wire query never answered; nil for
        /// a query the server dropped or ignored, which no rcode filter names.
        func consider(_ i: Int, _ e: Event, host: String, name qname: String, rcode: String?) {
            served = true
            guard host == spec.from, window.contains(e.t) else { return }
            if let pattern = spec.name, !Attempt.glob(pattern.lowercased(), qname.lowercased().trimmingSuffix(".")) { return }
            if let rcodes = spec.rcodes {
                guard let rcode, rcodes.contains(rcode) else { return }
            }
            times.append(e.t)
            if first == nil { first = EventReference(label: "first matching query", index: i, t: e.t) }
        }
        var answers: [Int: DNSResponseCode] = [:]  // wire query index → rcode of its answer
        var waiting: [String: Int] = [:]
        if spec.rcodes != nil {
            for (i, e) in history.enumerated() {
                guard case .dnsMessage(let m) = e.kind, hosts.contains(m.to) else { continue }
                let key = "\(m.from)>\(m.to)#\(m.id)"
                if !m.response { waiting[key] = i } else if let q = waiting.removeValue(forKey: key), let rcode = m.rcode { answers[q] = rcode }
            }
        }
        for (i, e) in history.enumerated() {
            switch e.kind {
            case .dnsQuery(let host, let qname, _, _, let outcome, _, _, _, _):
                consider(i, e, host: host, name: qname, rcode: outcome.responseCode.map { $0.description.lowercased() })
            case .dnsMessage(let m) where !m.response && hosts.contains(m.to):
                consider(i, e, host: m.from, name: m.name, rcode: answers[i].map { $0.description.lowercased() } ?? "none")
            case .testbedReady, .processStarted, .processOutput, .processExited, .hostReady, .timelineStarted,
                .faultApplied, .faultHealed, .faultFailed, .probe, .connection, .httpRequest, .httpResponse,
                .captureStats, .udpFlow, .dnsMessage, .timelineEnded, .cpuSample, .stressMeasured, .interrupted, .note:
                continue
            }
        }
        guard served else {
            return CheckResult(expectation: name, kind: "dns", verdict: .unknown,
                               summary: "no DNS query was recorded at all, by the scenario's DNS server or on the wire", window: window)
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
