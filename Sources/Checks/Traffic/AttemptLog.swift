import FaultlineCore
import RunHistory
import ScenarioFormat

/// Every attempt of the run, read from the traffic events of the history, in time order.
///
/// One source is read so nothing counts twice: the wire (the observer's capture) when the run
/// captured, else what the stand-in services recorded. Faultline's own probes are left out.
public struct AttemptLog: Sendable {
    public var attempts: [Attempt]
    /// `wire`, `services`, or nil when the history holds no traffic at all.
    public var source: String?
    /// Packets the capture lost; a check on a run with drops says so.
    public var captureDrops: Int

    public init(history: [Event]) {
        var wire = false
        var services = false
        var drops = 0
        for e in history {
            switch e.kind {
            case .connection: wire = true
            case .httpRequest(let r): if r.via == "wire" { wire = true } else { services = true }
            case .captureStats(let s): wire = true; drops = max(drops, s.dropped + s.interfaceDropped)
            case .testbedReady, .processStarted, .processOutput, .processExited, .hostReady, .timelineStarted,
                .faultApplied, .faultHealed, .faultFailed, .probe, .httpResponse, .udpFlow, .dnsMessage, .dnsQuery,
                .timelineEnded, .cpuSample, .stressMeasured, .interrupted, .note: break
            }
        }
        captureDrops = drops
        source = wire ? "wire" : services ? "services" : nil
        attempts = source.map { Self.build(history, wire: $0 == "wire") } ?? []
    }

    public init(attempts: [Attempt], source: String? = "wire", captureDrops: Int = 0) {
        self.attempts = attempts.sorted { $0.t < $1.t }
        self.source = source
        self.captureDrops = captureDrops
    }

    /// The attempts matching `selector` that started inside `window`.
    public func attempts(_ selector: TrafficSelector, in window: ResolvedWindow) -> [Attempt] {
        attempts.filter { window.contains($0.t) && $0.matches(selector) }
    }

    public func attempts(_ selector: TrafficSelector) -> [Attempt] { attempts.filter { $0.matches(selector) } }

    private static func build(_ history: [Event], wire: Bool) -> [Attempt] {
        struct Conn {
            var start: TimeSpan
            var index: Int
            var from: String
            var to: String
            var port: UInt16
            var probe: Bool
            var established = false
            var failure: (String, TimeSpan)? = nil
            var carriedHTTP = false
            var application: ApplicationProtocol?
            /// The observer stopped reading the connection here (an HTTP/2 capture gap …), and why.
            var undecoded: (TimeSpan, String)?
            /// TLS: the handshake completed (with its version and ALPN protocol, as readable).
            var tlsCompleted: TLSStep?
            /// TLS: the alert that ended the handshake, and when.
            var tlsAlert: (TLSStep, TimeSpan)?
            /// FIN from either side, when.
            var closed: TimeSpan?
        }
        var connections: [Int: Conn] = [:]
        var order: [Int] = []
        var requests: [Int: (HTTPRequestEvent, TimeSpan, Int)] = [:]
        var responses: [Int: (HTTPResponseEvent, TimeSpan)] = [:]
        for (i, e) in history.enumerated() {
            switch e.kind {
            case .connection(let c) where wire:
                switch c.phase {
                case .attempt:
                    connections[c.connection] = Conn(
                        start: e.t, index: i, from: c.from, to: c.to, port: c.port,
                        probe: ProbeTraffic.sourcePorts.contains(c.sourcePort))
                    order.append(c.connection)
                case .synRetransmit: break
                case .established: connections[c.connection]?.established = true
                case .identified:
                    if let why = c.undecoded {
                        if connections[c.connection]?.undecoded == nil { connections[c.connection]?.undecoded = (e.t, why) }
                    } else {
                        connections[c.connection]?.application = c.application
                    }
                case .refused: connections[c.connection]?.failure = ("refused", e.t)
                case .reset: connections[c.connection]?.failure = ("reset", e.t)
                case .unreachable: connections[c.connection]?.failure = ("unreachable", e.t)
                case .closed: if connections[c.connection]?.closed == nil { connections[c.connection]?.closed = e.t }
                case .tls:
                    guard let step = c.tls else { break }
                    if step.step == .completed { connections[c.connection]?.tlsCompleted = step }
                    if step.step == .alert, connections[c.connection]?.tlsAlert == nil { connections[c.connection]?.tlsAlert = (step, e.t) }
                }
            case .httpRequest(let r) where (r.via == "wire") == wire:
                requests[r.exchange] = (r, e.t, i)
                if let c = r.connection { connections[c]?.carriedHTTP = true }
            case .httpResponse(let r) where (r.via == "wire") == wire:
                responses[r.exchange] = (r, e.t)
            case .testbedReady, .processStarted, .processOutput, .processExited, .hostReady, .timelineStarted,
                .faultApplied, .faultHealed, .faultFailed, .probe, .connection, .httpRequest, .httpResponse,
                .captureStats, .udpFlow, .dnsMessage, .dnsQuery, .timelineEnded, .cpuSample, .stressMeasured,
                .interrupted, .note: break
            }
        }
        var attempts: [Attempt] = []
        for (exchange, (r, t, i)) in requests {
            if let c = r.connection, connections[c]?.probe == true { continue }
            if r.headers["user-agent"] == "faultline-probe" { continue }
            var a = Attempt(t: t, end: nil, from: r.from, to: r.to, port: r.port, method: r.method, path: r.path,
                            outcome: .connectionFailure("no response"), index: i)
            if let (resp, rt) = responses[exchange], resp.reset != nil {
                // RST_STREAM or GOAWAY before the answer: the call failed as a reset connection
                // would, and a gRPC call with the code its client reports for it.
                a.end = rt
                a.outcome = .connectionFailure("reset")
                if r.grpc == true, let reset = resp.reset { a.grpcStatus = GRPCStatusCode(reset: reset) }
            } else if let (resp, rt) = responses[exchange], resp.status == 101 {
                // Switching protocols (an `Upgrade: h2c` or WebSocket): what follows is not HTTP/1.x.
                a.end = rt
                a.outcome = .undecoded("the connection switched protocols (HTTP 101), and the observer cannot read what followed")
            } else if let (resp, rt) = responses[exchange] {
                a.end = rt
                a.outcome = .status(resp.status)
                a.retryAfter = resp.retryAfter
                a.latency = resp.latency
                a.retryPushback = resp.grpcRetryPushback
                if r.grpc == true || resp.grpcStatus != nil {
                    a.grpcStatus = resp.grpcStatus.map { GRPCStatusCode(rawValue: $0) ?? .unknown } ?? GRPCStatusCode(httpStatus: resp.status)
                }
            } else if let c = r.connection, let why = connections[c]?.undecoded?.1 {
                // Asked before the observer lost the connection: its answer went by unseen.
                a.outcome = .undecoded(why)
            } else if let c = r.connection, let f = connections[c]?.failure {
                a.end = f.1
                a.outcome = .connectionFailure(f.0)
            }
            attempts.append(a)
        }
        for id in order {
            guard let c = connections[id], !c.probe else { continue }
            if let (t, why) = c.undecoded {
                // Calls after the point the observer lost the connection are unseen; a TLS
                // connection is one attempt, from its start.
                attempts.append(Attempt(t: c.application == .tls ? c.start : t, end: nil, from: c.from, to: c.to, port: c.port, outcome: .undecoded(why), index: c.index))
                continue
            }
            guard !c.carriedHTTP else { continue }
            let outcome: Attempt.Outcome
            var end: TimeSpan?
            if c.established, c.application == .tls {
                (outcome, end) = Self.tlsOutcome(c.tlsCompleted, alert: c.tlsAlert, failure: c.failure, closed: c.closed)
            } else if c.established, let why = c.application?.undecodedReason {
                // TLS, HTTP/2 or another protocol: the calls inside cannot be seen, so the attempt
                // is neither a success nor a failure (a connection is not a call).
                outcome = .undecoded(why)
            } else if c.established {
                // No payload (a plain TCP connect), or HTTP whose requests were not seen yet: one attempt.
                outcome = .connected
            } else if let f = c.failure {
                outcome = .connectionFailure(f.0)
                end = f.1
            } else {
                outcome = .connectionFailure("unanswered")
            }
            attempts.append(Attempt(t: c.start, end: end, from: c.from, to: c.to, port: c.port, outcome: outcome, index: c.index))
        }
        return attempts.sorted { $0.t < $1.t }
    }

    /// A TLS connection's outcome from its handshake: an alert, or a reset or close before it
    /// completed, is a failure; a completed handshake is encrypted traffic, never a success.
    private static func tlsOutcome(
        _ completed: TLSStep?, alert: (TLSStep, TimeSpan)?, failure: (String, TimeSpan)?, closed: TimeSpan?
    ) -> (Attempt.Outcome, TimeSpan?) {
        if let completed {
            let what = [completed.version, completed.alpn.map { "ALPN " + $0.joined(separator: ",") }].compactMap { $0 }
            let after = what.isEmpty ? "" : " (\(what.joined(separator: ", ")))"
            return (.undecoded("TLS: the handshake completed\(after); the calls inside are encrypted, which the observer cannot read"), nil)
        }
        if let (step, t) = alert {
            let sender = step.sender.map { " from the \($0)" } ?? ""
            let code = step.alert == "encrypted" || step.alert == nil
                ? "an encrypted alert\(sender) (TLS 1.3 hides its code; usually a certificate it does not accept)"
                : "alert \(step.alert!)\(sender)"
            return (.tlsFailure(code), t)
        }
        if let (kind, t) = failure, kind == "reset" { return (.tlsFailure("reset before the handshake completed"), t) }
        if let closed { return (.tlsFailure("closed before the handshake completed"), closed) }
        // Still open when the run ended, the handshake unfinished: the server never answered it
        // (paused, partitioned one way), as an HTTP request without a response.
        return (.tlsFailure("the handshake did not complete"), nil)
    }
}
