import Checks
import FaultlineCore
import RunHistory
import ScenarioFormat
import Testing

extension TrafficBuilder {
    /// One gRPC call as the observer records an HTTP/2 stream: HTTP 200, and its status `grpcStatus`
    /// in the trailers `latency` ms later. Calls share connection 1000 (h2 multiplexes them).
    mutating func grpc(at ms: Double, status grpcStatus: Int, pushback: String? = nil, latency: Double = 2, exchange: Int) {
        if !events.contains(where: { if case .connection(let c) = $0.kind { c.connection == 1000 } else { false } }) {
            for phase in [ConnectionPhase.attempt, .established, .identified] {
                events.append(Event(t: Self.t(ms - 1), .connection(ConnectionEvent(
                    connection: 1000, from: "client", to: "api", sourcePort: 40010, port: 8080, phase: phase,
                    application: phase == .identified ? .http2 : nil))))
            }
        }
        events.append(Event(t: Self.t(ms), .httpRequest(HTTPRequestEvent(
            exchange: exchange, connection: 1000, from: "client", to: "api", port: 8080, method: "POST", path: "/kv.KV/Get",
            headers: ["content-type": "application/grpc"], via: "wire", stream: exchange * 2 + 1, grpc: true))))
        events.append(Event(t: Self.t(ms + latency), .httpResponse(HTTPResponseEvent(
            exchange: exchange, connection: 1000, from: "client", to: "api", status: 200, latency: Self.t(latency), via: "wire",
            stream: exchange * 2 + 1, grpcStatus: grpcStatus, grpcRetryPushback: pushback))))
    }
}

/// gRPC calls judged with the vocabulary HTTP requests are: a non-OK status is a failure even
/// under HTTP 200, and every traffic check reads them per call.
struct GRPCTrafficTests {
    static let client = TrafficSelector(from: "client", to: "api")
    static let availability = ExpectationKind.availability(
        ServiceLevelExpectation(traffic: client, success: RatioRequirement(.atLeast, Percentage(percent: 99))))

    @Test func aGRPCClientFailingEveryCallFailsAvailability() {
        var b = TrafficBuilder()
        for i in 0..<20 { b.grpc(at: Double(i) * 100 + 10, status: GRPCStatusCode.unavailable.rawValue, exchange: i + 1) }
        let r = TrafficCheckTests.judge(Self.availability, b.history(endingAt: 3000))
        #expect(r.verdict == .fail, "\(r.summary)")
        #expect(r.summary.contains("0/20"), "\(r.summary)")
        #expect(r.summary.contains("20 failed attempts (20 gRPC UNAVAILABLE)"), "names the code, not the HTTP 200: \(r.summary)")
    }

    @Test func gRPCCallsEndingOKPassAvailability() {
        var b = TrafficBuilder()
        for i in 0..<20 { b.grpc(at: Double(i) * 100 + 10, status: 0, exchange: i + 1) }
        #expect(TrafficCheckTests.judge(Self.availability, b.history(endingAt: 3000)).verdict == .pass)
    }

    /// The same client behaviour — a failing call retried after 1, 2 and 4 s — over HTTP/1.1 (503)
    /// and over gRPC (UNAVAILABLE under HTTP 200): the same verdicts, summaries and gaps.
    @Test(arguments: [
        RetriesExpectation(traffic: client, count: NumberRequirement(.atMost, 3)),
        RetriesExpectation(traffic: client, count: NumberRequirement(.atMost, 2)),
        RetriesExpectation(traffic: client, gaps: [.seconds(1), .seconds(2), .seconds(4)]),
        RetriesExpectation(traffic: client, gaps: [.seconds(1), .seconds(1), .seconds(1)]),
        RetriesExpectation(traffic: client, honoursRetryAfter: true),
    ])
    func retriesAreJudgedTheSameOverHTTP1AndGRPC(spec: RetriesExpectation) {
        var http = TrafficBuilder()
        var grpc = TrafficBuilder()
        var at = 1000.0
        for (i, gap) in [0.0, 1000, 2000, 4000].enumerated() {
            at += gap == 0 ? 0 : 2 + gap
            http.http(at: at, status: 503, retryAfter: "1")
            grpc.grpc(at: at, status: GRPCStatusCode.unavailable.rawValue, pushback: "1000", exchange: i + 1)
        }
        let a = TrafficCheckTests.judge(.retries(spec), http.history(endingAt: 30_000))
        let b = TrafficCheckTests.judge(.retries(spec), grpc.history(endingAt: 30_000))
        #expect(a.verdict == b.verdict, "\(a.summary) / \(b.summary)")
        #expect(a.evidence["gaps"] == b.evidence["gaps"])
        #expect(a.evidence["retries"] == b.evidence["retries"])
    }

    @Test func aRetryTooSoonAfterPushbackFails() {
        var b = TrafficBuilder()
        b.grpc(at: 1000, status: GRPCStatusCode.resourceExhausted.rawValue, pushback: "2000", exchange: 1)
        b.grpc(at: 1500, status: 0, exchange: 2)
        let r = TrafficCheckTests.judge(.retries(RetriesExpectation(traffic: Self.client, honoursRetryAfter: true)), b.history(endingAt: 5000))
        #expect(r.verdict == .fail && r.summary.contains("grpc-retry-pushback-ms: 2000"), "\(r.summary)")
    }

    @Test func aRetryAfterANegativePushbackFails() {
        var b = TrafficBuilder()
        b.grpc(at: 1000, status: GRPCStatusCode.unavailable.rawValue, pushback: "-1", exchange: 1)
        b.grpc(at: 3000, status: 0, exchange: 2)
        let r = TrafficCheckTests.judge(.retries(RetriesExpectation(traffic: Self.client, honoursRetryAfter: true)), b.history(endingAt: 5000))
        #expect(r.verdict == .fail && r.summary.contains("do not retry"), "\(r.summary)")
    }

    @Test(arguments: [
        ([OutcomePattern.grpc(.unavailable)], 14, true), ([.grpc(.unavailable)], 8, false), ([.grpcError], 4, true),
        ([.grpcError], 0, false), ([.statusClass(5)], 14, false), (OutcomePattern.defaultFailures, 14, true),
    ])
    func gRPCPatternsMatchTheCallsStatus(patterns: [OutcomePattern], status: Int, fails: Bool) {
        var b = TrafficBuilder()
        b.grpc(at: 10, status: status, exchange: 1)
        let attempt = AttemptLog(history: b.history(endingAt: 100)).attempts[0]
        #expect(attempt.fails(patterns) == fails)
    }

    /// RST_STREAM before the answer is a failed attempt, counted as a reset connection, with the
    /// code a gRPC client reports for it: `failures: [UNAVAILABLE]` matches a refused stream.
    @Test(arguments: [
        ("RST_STREAM REFUSED_STREAM (server)", GRPCStatusCode.unavailable), ("RST_STREAM CANCEL (client)", .cancelled),
        ("RST_STREAM ENHANCE_YOUR_CALM (server)", .resourceExhausted), ("RST_STREAM PROTOCOL_ERROR (server)", .internal),
        ("GOAWAY NO_ERROR", .unavailable),
    ])
    func aResetStreamIsAConnectionFailureWithItsGRPCCode(reset: String, code: GRPCStatusCode) {
        var b = TrafficBuilder()
        b.grpc(at: 10, status: 0, exchange: 1)
        b.events.removeLast()
        b.events.append(Event(t: .milliseconds(15), .httpResponse(HTTPResponseEvent(
            exchange: 1, connection: 1000, from: "client", to: "api", status: 0, latency: .milliseconds(5), via: "wire", stream: 3,
            reset: reset))))
        let attempt = AttemptLog(history: b.history(endingAt: 100)).attempts[0]
        #expect(attempt.outcome == .connectionFailure("reset") && attempt.end == .milliseconds(15))
        #expect(attempt.grpcStatus == code && attempt.fails([.grpc(code)]) && attempt.fails([.grpcError]))
    }

    /// After a capture gap the observer stops reading the connection: what follows is unknown.
    @Test func aConnectionTheObserverLostIsJudgedUnknown() {
        var b = TrafficBuilder()
        for i in 0..<5 { b.grpc(at: Double(i) * 100 + 10, status: 0, exchange: i + 1) }
        b.events.append(Event(t: .milliseconds(600), .connection(ConnectionEvent(
            connection: 1000, from: "client", to: "api", sourcePort: 40010, port: 8080, phase: .identified, application: .http2,
            undecoded: "a capture gap in the client's HTTP/2 stream"))))
        let r = TrafficCheckTests.judge(Self.availability, b.history(endingAt: 3000))
        #expect(r.verdict == .unknown && r.summary.contains("a capture gap"), "\(r.summary)")
    }

    @Test(arguments: GRPCStatusCode.allCases)
    func everyGRPCCodeParsesByName(code: GRPCStatusCode) {
        #expect(OutcomePattern(parsing: code.description) == .grpc(code))
        #expect(OutcomePattern(parsing: code.description.lowercased()) == .grpc(code))
    }
}
