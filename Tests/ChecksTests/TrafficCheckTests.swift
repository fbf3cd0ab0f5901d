import Checks
import FaultlineCore
import RunHistory
import ScenarioFormat
import Testing

/// The checks on the client's traffic, judged on hand-built wire histories.
struct TrafficCheckTests {
    static let client = TrafficSelector(from: "client", to: "api")

    static func judge(_ kind: ExpectationKind, _ history: [Event], window: Window = Window()) -> CheckResult {
        let scenario = Scenario(
            name: "t", duration: .seconds(60), hosts: [Host(name: "client"), Host(name: "api")],
            expectations: [ScenarioFormat.Expectation(name: "e", window: window, kind: kind)])
        return Checker.evaluate(scenario: scenario, history: history)[0]
    }

    /// curl --retry 3 against a 503: attempts at 1 s, then waits of 1, 2 and 4 s.
    static func curlLikeRetries(retryAfter: String? = nil, gaps: [Double] = [1000, 2000, 4000]) -> [Event] {
        var b = TrafficBuilder()
        var at = 1000.0
        b.http(at: at, status: 503, retryAfter: retryAfter)
        for g in gaps {
            at += 2 + g
            b.http(at: at, status: 503, retryAfter: retryAfter)
        }
        return b.history(endingAt: 30_000)
    }

    @Test func retriesMatchingTheScheduleWithinToleranceEachPass() {
        let spec = RetriesExpectation(traffic: Self.client, count: NumberRequirement(.equal, 3),
                                      gaps: [.seconds(1), .seconds(2), .seconds(4)], tolerance: .absolute(.milliseconds(20)))
        let r = Self.judge(.retries(spec), Self.curlLikeRetries())
        #expect(r.verdict == .pass, "\(r.summary)")
        #expect(r.evidence["retries"] == .string("3"))
    }

    @Test func aWrongScheduleFailsNamingTheRetry() {
        let spec = RetriesExpectation(traffic: Self.client, gaps: [.seconds(1), .seconds(1), .seconds(1)], tolerance: .absolute(.milliseconds(20)))
        let r = Self.judge(.retries(spec), Self.curlLikeRetries())
        #expect(r.verdict == .fail)
        #expect(r.summary.contains("retry 2 waited 2s, expected 0.98s…1.02s"))
    }

    @Test(arguments: [(0.0, 1.0, true), (0.0, 0.5, false), (-1.0, 0.0, false)])
    func exponentialBackoffWithJitterRange(low: Double, high: Double, passes: Bool) {
        let law = ExponentialBackoff(initial: .seconds(1), factor: 2, max: .seconds(30), jitterLow: low, jitterHigh: high)
        // Gaps 1.8, 3.6, 7.2 s: base 1, 2, 4 s scaled by 1.8 — inside 0..100% jitter, outside 0..50% and -100%..0%.
        let spec = RetriesExpectation(traffic: Self.client, backoff: law, tolerance: .relative(Percentage(percent: 5)))
        let r = Self.judge(.retries(spec), Self.curlLikeRetries(gaps: [1800, 3600, 7200]))
        #expect((r.verdict == .pass) == passes, "\(r.summary)")
    }

    @Test func retryingBeforeRetryAfterFails() {
        let spec = RetriesExpectation(traffic: Self.client, honoursRetryAfter: true)
        #expect(Self.judge(.retries(spec), Self.curlLikeRetries(retryAfter: "2", gaps: [2000, 2000, 2000])).verdict == .pass)
        let r = Self.judge(.retries(spec), Self.curlLikeRetries(retryAfter: "2"))
        #expect(r.verdict == .fail)
        #expect(r.summary.contains("Retry-After: 2"))
    }

    @Test func noRetryOn4xxIsACountOfZero() {
        var b = TrafficBuilder()
        b.http(at: 1000, status: 403)
        b.http(at: 9000, status: 403)
        let spec = RetriesExpectation(traffic: Self.client, failures: [.status(403)], count: NumberRequirement(.equal, 0), callGap: .seconds(2))
        #expect(Self.judge(.retries(spec), b.history(endingAt: 20_000)).verdict == .pass)
        b.http(at: 9100, status: 403)
        #expect(Self.judge(.retries(spec), b.history(endingAt: 20_000)).verdict == .fail)
    }

    @Test func retriesWithoutAnyFailureAreUnknown() {
        var b = TrafficBuilder()
        b.http(at: 1000, status: 200)
        let r = Self.judge(.retries(RetriesExpectation(traffic: Self.client, count: NumberRequirement(.atMost, 3))), b.history(endingAt: 5000))
        #expect(r.verdict == .unknown)
    }

    @Test func withoutAnyTrafficSourceEveryTrafficCheckIsUnknown() {
        let history = [Event(t: .zero, .timelineStarted), Event(t: .seconds(5), .timelineEnded)]
        let r = Self.judge(.requests(RequestsExpectation(traffic: Self.client, bound: NumberRequirement(.equal, 0))), history)
        #expect(r.verdict == .unknown)
        #expect(r.summary.contains("no traffic was observed"))
    }

    @Test func probeTrafficIsNotTheClients() {
        var b = TrafficBuilder()
        b.http(at: 1000, status: 200, sourcePort: ProbeTraffic.sourcePorts.lowerBound + 3)
        b.http(at: 2000, status: 200)
        let r = Self.judge(.requests(RequestsExpectation(traffic: Self.client, bound: NumberRequirement(.equal, 1))), b.history(endingAt: 5000))
        #expect(r.verdict == .pass, "\(r.summary)")
    }

    @Test func circuitBreakerThatStaysOpenThenTrialsPasses() {
        var b = TrafficBuilder()
        for i in 0..<5 { b.http(at: 1000 + Double(i) * 100, status: 500) }
        b.http(at: 1400 + 30_000, status: 200)   // the single trial after 30 s
        b.http(at: 1400 + 30_500, status: 200)   // normal traffic again
        let spec = CircuitBreakerExpectation(traffic: Self.client, after: 5, open: .seconds(30))
        let r = Self.judge(.circuitBreaker(spec), b.history(endingAt: 40_000))
        #expect(r.verdict == .pass, "\(r.summary)")
    }

    @Test func callingWhileTheCircuitShouldBeOpenFails() {
        var b = TrafficBuilder()
        for i in 0..<5 { b.http(at: 1000 + Double(i) * 100, status: 500) }
        b.http(at: 3000, status: 500)
        let spec = CircuitBreakerExpectation(traffic: Self.client, after: 5, open: .seconds(30))
        let r = Self.judge(.circuitBreaker(spec), b.history(endingAt: 40_000))
        #expect(r.verdict == .fail)
        #expect(r.summary.contains("called again"))
    }

    @Test func failoverAndFailbackAreTimedFromTheFault() {
        var b = TrafficBuilder()
        b.fault("split", applied: 5000, healed: 10_000)
        b.http(at: 4000, status: 200)
        b.refused(at: 5100)
        b.http(at: 5900, to: "backup", status: 200)
        b.http(at: 11_500, status: 200)
        let history = b.history(endingAt: 20_000)
        let over = FailoverExpectation(from: "client", primary: "api", fallback: "backup", within: .seconds(1))
        #expect(Self.judge(.failover(over), history, window: Window(during: "split")).verdict == .pass)
        let back = FailoverExpectation(from: "client", primary: "api", within: .seconds(1))
        let r = Self.judge(.failback(back), history, window: Window(after: "split"))
        #expect(r.verdict == .fail)
        #expect(r.evidence["switchSeconds"] == .number(1.5))
    }

    @Test func aClientThatRetriesInstantlyIsAStorm() {
        var b = TrafficBuilder()
        for i in 0..<10 { b.http(at: Double(i) * 500, status: 200) }           // 2/s before
        b.fault("outage", applied: 5000, healed: 8000)
        for i in 0..<300 { b.refused(at: 5000 + Double(i) * 10) }             // 100/s during
        let spec = NoStormExpectation(traffic: Self.client, factor: 3)
        let r = Self.judge(.noStorm(spec), b.history(endingAt: 10_000), window: Window(during: "outage"))
        #expect(r.verdict == .fail)
        #expect(r.summary.hasPrefix("retry storm"))
    }

    @Test func availabilityLatencyAndRecovery() {
        var b = TrafficBuilder()
        b.fault("split", applied: 2000, healed: 4000)
        for i in 0..<20 { b.http(at: Double(i) * 100, status: 200, latency: Double(i % 10) + 1) }
        b.refused(at: 2500)
        b.http(at: 4300, status: 200)
        let history = b.history(endingAt: 6000)
        let availability = ServiceLevelExpectation(traffic: Self.client, success: RatioRequirement(.atLeast, Percentage(percent: 90)))
        #expect(Self.judge(.availability(availability), history).verdict == .pass)
        let latency = ServiceLevelExpectation(traffic: Self.client, p99: DurationRequirement(.atMost, .milliseconds(5)))
        #expect(Self.judge(.latency(latency), history).verdict == .fail)
        let recovery = RecoveryExpectation(traffic: Self.client, within: .milliseconds(500))
        let r = Self.judge(.recovery(recovery), history, window: Window(after: "split"))
        #expect(r.verdict == .pass, "\(r.summary)")
    }

    /// A late recovery says what the client did between the heal and its first success.
    @Test func aLateRecoveryNamesTheFailuresBeforeIt() {
        var b = TrafficBuilder()
        b.fault("split", applied: 1000, healed: 2000)
        b.refused(at: 2100)
        b.refused(at: 2400)
        b.http(at: 2700, status: 503)
        b.http(at: 3500, status: 200)
        let recovery = RecoveryExpectation(traffic: Self.client, within: .milliseconds(500))
        let late = Self.judge(.recovery(recovery), b.history(endingAt: 5000), window: Window(after: "split"))
        #expect(late.verdict == .fail)
        #expect(late.summary.hasSuffix("later than 500ms; before it 3 failed attempts (2 refused, 1 HTTP 503)"), "\(late.summary)")
        #expect(late.evidence["failedAttemptsAfterHeal"] == .number(3))

        var quiet = TrafficBuilder()
        quiet.fault("split", applied: 1000, healed: 2000)
        quiet.http(at: 3500, status: 200)
        let silent = Self.judge(.recovery(recovery), quiet.history(endingAt: 5000), window: Window(after: "split"))
        #expect(silent.summary.hasSuffix("before it no attempt"), "\(silent.summary)")
    }

    /// A gRPC-over-TLS client that fails every call and reconnects hot: the wire shows only
    /// established TLS connections. None of them is a success, so no check passes on them: each
    /// is unknown, naming why.
    @Test(arguments: [ApplicationProtocol.tls, .other])
    func trafficTheObserverCannotReadIsNeverASuccess(application: ApplicationProtocol) {
        var b = TrafficBuilder()
        b.fault("split", applied: 100, healed: 200)
        for i in 0..<40 { b.opaque(at: Double(i) * 50, application: application, lasting: 20) }
        let history = b.history(endingAt: 5000)
        let availability = ServiceLevelExpectation(traffic: Self.client, success: RatioRequirement(.atLeast, Percentage(percent: 99)))
        let kinds: [ExpectationKind] = [
            .availability(availability),
            .requests(RequestsExpectation(traffic: Self.client, bound: NumberRequirement(.atMost, 100))),
            .noStorm(NoStormExpectation(traffic: Self.client, maxRate: 100)),
            .recovery(RecoveryExpectation(traffic: Self.client, within: .seconds(1))),
        ]
        for kind in kinds {
            let r = Self.judge(kind, history, window: Window(after: "split"))
            #expect(r.verdict == .unknown, "\(kind): \(r.verdict) — \(r.summary)")
            let why = application == .tls ? "TLS: the handshake completed (TLS 1.3); the calls inside are encrypted" : application.undecodedReason!
            #expect(r.summary.contains(why), "\(r.summary)")
        }
    }

    /// What the handshake shows decides a TLS connection's outcome: an alert, or a reset or close
    /// before it completed, is a failed attempt; a completed one is unknown.
    @Test(arguments: [
        ([TLSStep(step: .clientHello), TLSStep(step: .alert, sender: "client", alert: "unknown_ca (48)")], ConnectionPhase.closed,
         "TLS handshake failed: alert unknown_ca (48) from the client"),
        ([TLSStep(step: .clientHello), TLSStep(step: .serverHello, version: "TLS 1.3"), TLSStep(step: .alert, sender: "client", alert: "encrypted")],
         .reset, "TLS handshake failed: an encrypted alert from the client (TLS 1.3 hides its code; usually a certificate it does not accept)"),
        ([TLSStep(step: .clientHello)], .reset, "TLS handshake failed: reset before the handshake completed"),
        ([TLSStep(step: .clientHello)], .closed, "TLS handshake failed: closed before the handshake completed"),
        ([TLSStep(step: .clientHello)], nil, "TLS handshake failed: the handshake did not complete"),
    ])
    func aTLSHandshakeThatFailedIsAFailedAttempt(steps: [TLSStep], end: ConnectionPhase?, outcome: String) {
        var b = TrafficBuilder()
        b.opaque(at: 10, application: .tls, handshake: steps, closes: end)
        let attempts = AttemptLog(history: b.history(endingAt: 1000)).attempts
        #expect(attempts.map(\.outcome.description) == [outcome])
        #expect(attempts[0].fails(OutcomePattern.defaultFailures) && attempts[0].fails([.tls]))
        #expect(!attempts[0].fails([.connection]), "a TLS failure is its own pattern, not a connection failure")
        #expect(OutcomePattern(parsing: "TLS") == .tls && OutcomePattern.tls.description == "tls")
        let availability = ServiceLevelExpectation(traffic: Self.client, success: RatioRequirement(.atLeast, Percentage(percent: 99)))
        let r = Self.judge(.availability(availability), b.history(endingAt: 1000))
        #expect(r.verdict == .fail, "\(r.summary)")
    }

    /// A run where some handshakes fail and others complete is still unknown: the completed ones may
    /// have carried failed calls.
    @Test func failedAndCompletedHandshakesTogetherAreUnknown() {
        var b = TrafficBuilder()
        b.opaque(at: 10, application: .tls, handshake: [TLSStep(step: .clientHello), TLSStep(step: .alert, sender: "server", alert: "handshake_failure (40)")])
        b.opaque(at: 100, application: .tls)
        let availability = ServiceLevelExpectation(traffic: Self.client, success: RatioRequirement(.atLeast, Percentage(percent: 50)))
        let r = Self.judge(.availability(availability), b.history(endingAt: 1000))
        #expect(r.verdict == .unknown && r.summary.contains("TLS: the handshake completed"), "\(r.summary)")
    }

    /// TLS to a stand-in: the wire sees the handshake, the stand-in that terminated it the requests
    /// inside. Joined by addresses, ports and time, the requests are the attempts, judged as on
    /// plaintext; a connection from another port is not joined and stays unreadable.
    @Test func theStandInsSideOfATLSConnectionIsReadWhereTheWireCannot() {
        var b = TrafficBuilder()
        b.opaque(at: 10, application: .tls, lasting: 40, sourcePort: 41000)
        b.served(at: 10.4, sourcePort: 41000, statuses: [503, 200], lasting: 39)
        var attempts = AttemptLog(history: b.history(endingAt: 1000)).attempts
        #expect(attempts.map(\.outcome.description) == ["HTTP 503", "HTTP 200"])
        #expect(attempts.allSatisfy { $0.method == "PUT" && $0.path == "/v1/kv/x" })
        let availability = ServiceLevelExpectation(traffic: Self.client, success: RatioRequirement(.atLeast, Percentage(percent: 50)))
        #expect(Self.judge(.availability(availability), b.history(endingAt: 1000)).verdict == .pass)

        b.opaque(at: 100, application: .tls, sourcePort: 41001)
        b.served(at: 100.4, sourcePort: 41999, statuses: [200])
        attempts = AttemptLog(history: b.history(endingAt: 1000)).attempts
        #expect(attempts.filter { $0.undecodedReason != nil }.count == 1, "\(attempts.map(\.outcome))")
        #expect(Self.judge(.availability(availability), b.history(endingAt: 1000)).verdict == .unknown)
    }

    /// The alert that ended a handshake: the wire's code when it read one (a TLS 1.3 client alerting
    /// before its keys changed sends it in the clear), the stand-in's when the wire saw it encrypted.
    @Test(arguments: [
        (TLSStep(step: .alert, sender: "client", alert: "encrypted"), TLSStep(step: .alert, sender: "client", alert: "bad_certificate (42)"),
         "TLS handshake failed: alert bad_certificate (42) from the client"),
        (TLSStep(step: .alert, sender: "client", alert: "certificate_expired (45)"),
         TLSStep(step: .alert, sender: "client", alert: "an alert sent in the clear, which the server could not decrypt (the wire reads its code)"),
         "TLS handshake failed: alert certificate_expired (45) from the client"),
    ])
    func aHandshakesAlertIsReadFromWhicheverSideCouldReadIt(wire: TLSStep, standIn: TLSStep, outcome: String) {
        var b = TrafficBuilder()
        b.opaque(at: 10, application: .tls, handshake: [TLSStep(step: .clientHello), TLSStep(step: .serverHello, version: "TLS 1.3"), wire],
                 sourcePort: 41000)
        b.served(at: 10.4, sourcePort: 41000, ended: standIn)
        #expect(AttemptLog(history: b.history(endingAt: 1000)).attempts.map(\.outcome.description) == [outcome])
    }

    /// A handshake that completed and carried no request: closed, the client refused what it saw
    /// after the handshake (curl checks the name only then); still open, an idle connection.
    @Test func aCompletedHandshakeWithoutARequestIsARefusalWhenClosedAndConnectedWhenOpen() {
        var b = TrafficBuilder()
        b.opaque(at: 10, application: .tls, sourcePort: 41000)
        b.served(at: 10.4, sourcePort: 41000)
        b.opaque(at: 100, application: .tls, closes: nil, sourcePort: 41001)
        b.served(at: 100.4, sourcePort: 41001, closes: nil)
        let attempts = AttemptLog(history: b.history(endingAt: 1000)).attempts
        #expect(attempts.count == 2)
        #expect(attempts[0].fails([.tls]) && attempts[0].outcome.description.contains("without a request"), "\(attempts[0].outcome)")
        #expect(attempts[1].outcome == .connected)
    }

    /// Without a capture the stand-in's own record is the source: its handshakes and requests.
    @Test func withoutACaptureATLSStandInsRecordIsTheSource() {
        var b = TrafficBuilder()
        b.served(at: 10, sourcePort: 41000, ended: TLSStep(step: .alert, sender: "client", alert: "unknown_ca (48)"))
        b.served(at: 50, sourcePort: 41001, ended: nil, closes: .reset)
        b.served(at: 100, sourcePort: 41002, statuses: [200, 429])
        let log = AttemptLog(history: b.history(endingAt: 1000))
        #expect(log.source == "services")
        #expect(log.attempts.map(\.outcome.description) == [
            "TLS handshake failed: alert unknown_ca (48) from the client", "TLS handshake failed: reset before the handshake completed",
            "HTTP 200", "HTTP 429",
        ])
    }

    /// `Upgrade: h2c` (or a WebSocket): the 101 answer is not the call's outcome.
    @Test func aSwitchingProtocolsAnswerIsNotASuccess() {
        var b = TrafficBuilder()
        for i in 0..<5 { b.http(at: Double(i) * 100, status: 101) }
        let availability = ServiceLevelExpectation(traffic: Self.client, success: RatioRequirement(.atLeast, Percentage(percent: 99)))
        let r = Self.judge(.availability(availability), b.history(endingAt: 1000))
        #expect(r.verdict == .unknown && r.summary.contains("switched protocols"), "\(r.summary)")
    }

    /// A plain TCP connect with no payload still counts as connected.
    @Test func aConnectionWithoutPayloadIsStillConnected() {
        var b = TrafficBuilder()
        b.events.append(Event(t: .milliseconds(10), .connection(ConnectionEvent(connection: 99, from: "client", to: "api", sourcePort: 40003, port: 8080, phase: .attempt))))
        b.events.append(Event(t: .milliseconds(11), .connection(ConnectionEvent(connection: 99, from: "client", to: "api", sourcePort: 40003, port: 8080, phase: .established))))
        let availability = ServiceLevelExpectation(traffic: Self.client, success: RatioRequirement(.atLeast, Percentage(percent: 99)))
        #expect(Self.judge(.availability(availability), b.history(endingAt: 1000)).verdict == .pass)
    }

    @Test(arguments: [("/v1/kv/*", "/v1/kv/config/db", true), ("/v1/kv/*", "/v1/agent", false), ("/a/*/c", "/a/b/c", true), ("/x", "/x?y=1", true)])
    func pathPatterns(pattern: String, path: String, matches: Bool) {
        var b = TrafficBuilder()
        b.http(at: 1000, path: path, status: 200)
        let selector = TrafficSelector(from: "client", path: pattern)
        let r = Self.judge(.requests(RequestsExpectation(traffic: selector, bound: NumberRequirement(.equal, 1))), b.history(endingAt: 2000))
        #expect((r.verdict == .pass) == matches)
    }
}

/// The client's DNS queries, as the scenario's DNS server recorded them.
struct DNSQueriesCheckTests {
    static func queries(_ times: [Double], outcome: DNSQueryOutcome = .answered(.nxDomain)) -> [Event] {
        var events = [Event(t: .zero, .timelineStarted)]
        for ms in times {
            events.append(Event(t: .milliseconds(ms), .dnsQuery(
                host: "client", name: "consul.service.consul.", type: "A", transport: "udp", outcome: outcome, answers: [],
                truncated: false, latency: .milliseconds(0.03), fault: "nx")))
        }
        return Histories.sorted(events + [Event(t: .seconds(10), .timelineEnded)])
    }

    @Test func aClientThatRequeriesTooFastDuringNXDOMAINFails() {
        let spec = DNSQueriesExpectation(from: "client", name: "*.service.consul", rcodes: ["nxdomain"], maxRate: 5)
        let calm = TrafficCheckTests.judge(.dns(spec), Self.queries(stride(from: 0.0, to: 9000, by: 500).map { $0 }))
        #expect(calm.verdict == .pass, "\(calm.summary)")
        let storm = TrafficCheckTests.judge(.dns(spec), Self.queries(stride(from: 0.0, to: 1000, by: 20).map { $0 }))
        #expect(storm.verdict == .fail)
        #expect(storm.summary.contains("queries in one second"))
        let other = DNSQueriesExpectation(from: "client", rcodes: ["servfail"], bound: NumberRequirement(.equal, 0))
        #expect(TrafficCheckTests.judge(.dns(other), Self.queries([100, 200])).verdict == .pass)
    }

    @Test func queriesToAResolverHostCountFromTheWireAndQueriesToFaultlinesServerCountOnce() {
        var events = [Event(t: .seconds(-1), .testbedReady(addresses: ["client": "10.0.0.2", "resolver": "10.0.0.3"]))]
        events.append(Event(t: .zero, .timelineStarted))
        for (i, ms) in [100.0, 200, 300].enumerated() {
            // To a host running its own resolver: only the wire sees these.
            events.append(Event(t: .milliseconds(ms), .dnsMessage(DNSMessageEvent(
                from: "client", to: "resolver", id: UInt16(i), response: false, name: "db.internal", type: "A", transport: "udp"))))
            events.append(Event(t: .milliseconds(ms + 1), .dnsMessage(DNSMessageEvent(
                from: "client", to: "resolver", id: UInt16(i), response: true, name: "db.internal", type: "A", transport: "udp",
                rcode: i == 2 ? .noError : .servFail, answers: []))))
        }
        // To Faultline's server in the router: the server's own record counts, not the wire's copy.
        events.append(Event(t: .milliseconds(400), .dnsMessage(DNSMessageEvent(
            from: "client", to: "router", id: 9, response: false, name: "db.internal", type: "A", transport: "udp"))))
        events.append(Event(t: .milliseconds(400), .dnsQuery(
            host: "client", name: "db.internal", type: "A", transport: "udp", outcome: .answered(.servFail), answers: [], truncated: false,
            latency: .zero, fault: nil)))
        events.append(Event(t: .seconds(2), .timelineEnded))
        let all = DNSQueriesExpectation(from: "client", name: "db.internal", bound: NumberRequirement(.equal, 4))
        let r = TrafficCheckTests.judge(.dns(all), events)
        #expect(r.verdict == .pass, "\(r.summary)")
        let failing = DNSQueriesExpectation(from: "client", rcodes: ["servfail"], bound: NumberRequirement(.equal, 3))
        let f = TrafficCheckTests.judge(.dns(failing), events)
        #expect(f.verdict == .pass, "two SERVFAILs on the wire and one from the server: \(f.summary)")
    }

    @Test func withoutADNSServerTheCheckIsUnknown() {
        let spec = DNSQueriesExpectation(from: "client", maxRate: 5)
        let r = TrafficCheckTests.judge(.dns(spec), [Event(t: .zero, .timelineStarted), Event(t: .seconds(1), .timelineEnded)])
        #expect(r.verdict == .unknown)
    }
}
