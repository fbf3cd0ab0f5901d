import FaultlineCore
import RunHistory
import ScenarioFormat

/// Every attempt of the run, read from the traffic events of the history, in time order.
///
/// One source is read so nothing counts twice: the wire (the observer's capture) when the run
/// captured, else what the stand-in services recorded. Faultline's own probes are left out.
///
/// TLS to a stand-in is the one place the two are joined: the wire sees only the handshake, and
/// the stand-in that terminated it holds the keys. Its side of each connection (how the handshake
/// ended, the requests inside) is matched to the wire's connection by addresses, ports and time,
/// and read where the wire cannot: the requests become attempts, and an alert the wire saw only
/// encrypted gets its code.
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
            case .connection(let c): if c.via == nil { wire = true } else { services = true }
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

    /// A connection as one side saw it: the wire (numbered by the observer) or a TLS stand-in
    /// (numbered by it).
    private struct Conn {
        var start: TimeSpan
        var index: Int
        var from: String
        var to: String
        var sourcePort: UInt16
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
        /// TLS: the stand-in that terminated it saw it too (its connection among `served`), so
        /// what went on inside is known.
        var served: Int?

        init(_ c: ConnectionEvent, at t: TimeSpan, index: Int) {
            start = t
            self.index = index
            from = c.from
            to = c.to
            sourcePort = c.sourcePort
            port = c.port
            probe = ProbeTraffic.sourcePorts.contains(c.sourcePort)
        }

        /// Folds in one step of the connection's life.
        mutating func add(_ c: ConnectionEvent, at t: TimeSpan) {
            switch c.phase {
            case .attempt, .synRetransmit: break
            case .established: established = true
            case .identified:
                if let why = c.undecoded {
                    if undecoded == nil { undecoded = (t, why) }
                } else {
                    application = c.application
                }
            case .refused: failure = ("refused", t)
            case .reset: failure = ("reset", t)
            case .unreachable: failure = ("unreachable", t)
            case .closed: if closed == nil { closed = t }
            case .tls:
                guard let step = c.tls else { break }
                if step.step == .completed { tlsCompleted = step }
                if step.step == .alert, tlsAlert == nil { tlsAlert = (step, t) }
            }
        }

        /// The same connection seen from the other side: same ends and ports, and alive then.
        func isSide(of other: Conn) -> Bool {
            from == other.from && to == other.to && sourcePort == other.sourcePort && port == other.port
                && other.start >= start - .seconds(1) && other.start <= (closed ?? other.start) + .seconds(1)
        }
    }

    private struct ExchangeKey: Hashable {
        var wire: Bool
        var id: Int
    }

    private static func build(_ history: [Event], wire: Bool) -> [Attempt] {
        var connections: [Int: Conn] = [:]
        var order: [Int] = []
        /// TLS stand-ins' own side of their connections; `servedIndex` finds one by stand-in and number.
        var servedConns: [Conn] = []
        var servedIndex: [String: [Int: Int]] = [:]
        var requests: [ExchangeKey: (HTTPRequestEvent, TimeSpan, Int)] = [:]
        var responses: [ExchangeKey: (HTTPResponseEvent, TimeSpan)] = [:]
        for (i, e) in history.enumerated() {
            switch e.kind {
            case .connection(let c) where c.via == nil && wire:
                if c.phase == .attempt {
                    connections[c.connection] = Conn(c, at: e.t, index: i)
                    order.append(c.connection)
                } else {
                    connections[c.connection]?.add(c, at: e.t)
                }
            case .connection(let c) where c.via != nil:
                let via = c.via!
                if let k = servedIndex[via]?[c.connection] {
                    servedConns[k].add(c, at: e.t)
                } else {
                    servedIndex[via, default: [:]][c.connection] = servedConns.count
                    var conn = Conn(c, at: e.t, index: i)
                    conn.add(c, at: e.t)
                    servedConns.append(conn)
                }
            case .httpRequest(let r) where (r.via == "wire") == wire || (wire && r.tls == true):
                requests[ExchangeKey(wire: r.via == "wire", id: r.exchange)] = (r, e.t, i)
                if let c = r.connection, r.via == "wire" { connections[c]?.carriedHTTP = true }
            case .httpResponse(let r):
                responses[ExchangeKey(wire: r.via == "wire", id: r.exchange)] = (r, e.t)
            case .testbedReady, .processStarted, .processOutput, .processExited, .hostReady, .timelineStarted,
                .faultApplied, .faultHealed, .faultFailed, .probe, .connection, .httpRequest,
                .captureStats, .udpFlow, .dnsMessage, .dnsQuery, .timelineEnded, .cpuSample, .stressMeasured,
                .interrupted, .note: break
            }
        }
        // Requests a TLS stand-in served: on its connection from that client port, the latest
        // that started before them.
        for (key, (r, t, _)) in requests where !key.wire && r.tls == true {
            guard let k = servedConns.indices.last(where: {
                servedConns[$0].from == r.from && servedConns[$0].sourcePort == r.sourcePort
                    && servedConns[$0].to == r.to && servedConns[$0].start <= t
            }) else { continue }
            servedConns[k].carriedHTTP = true
        }
        if wire {
            // The wire's TLS connections to a stand-in, joined to the stand-in's side.
            var byEnds: [String: [Int]] = [:]
            for k in servedConns.indices { byEnds["\(servedConns[k].from) \(servedConns[k].sourcePort)", default: []].append(k) }
            for id in order where connections[id]?.application == .tls {
                let c = connections[id]!
                guard let k = byEnds["\(c.from) \(c.sourcePort)"]?.first(where: { c.isSide(of: servedConns[$0]) }) else { continue }
                connections[id]?.served = k
                if servedConns[k].carriedHTTP { connections[id]?.carriedHTTP = true }
            }
        } else {
            // Without a capture, the stand-ins' own record of their TLS connections.
            for k in servedConns.indices {
                let id = -(k + 1)
                connections[id] = servedConns[k]
                connections[id]?.served = k
                order.append(id)
            }
        }

        var attempts: [Attempt] = []
        for (key, (r, t, i)) in requests {
            if key.wire, let c = r.connection, connections[c]?.probe == true { continue }
            if r.headers["user-agent"] == "faultline-probe" { continue }
            var a = Attempt(t: t, end: nil, from: r.from, to: r.to, port: r.port, method: r.method, path: r.path,
                            outcome: .connectionFailure("no response"), index: i)
            if let (resp, rt) = responses[key], resp.reset != nil {
                // RST_STREAM or GOAWAY before the answer: the call failed as a reset connection
                // would, and a gRPC call with the code its client reports for it.
                a.end = rt
                a.outcome = .connectionFailure("reset")
                if r.grpc == true, let reset = resp.reset { a.grpcStatus = GRPCStatusCode(reset: reset) }
            } else if let (resp, rt) = responses[key], resp.status == 101 {
                // Switching protocols (an `Upgrade: h2c` or WebSocket): what follows is not HTTP/1.x.
                a.end = rt
                a.outcome = .undecoded("the connection switched protocols (HTTP 101), and the observer cannot read what followed")
            } else if let (resp, rt) = responses[key] {
                a.end = rt
                a.outcome = .status(resp.status)
                a.retryAfter = resp.retryAfter
                a.latency = resp.latency
                a.retryPushback = resp.grpcRetryPushback
                if r.grpc == true || resp.grpcStatus != nil {
                    a.grpcStatus = resp.grpcStatus.map { GRPCStatusCode(rawValue: $0) ?? .unknown } ?? GRPCStatusCode(httpStatus: resp.status)
                }
            } else if key.wire, let c = r.connection, let why = connections[c]?.undecoded?.1 {
                // Asked before the observer lost the connection: its answer went by unseen.
                a.outcome = .undecoded(why)
            } else if key.wire, let c = r.connection, let f = connections[c]?.failure {
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
                (outcome, end) = Self.tlsOutcome(c, served: c.served.map { servedConns[$0] })
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
    /// completed, is a failure; a completed handshake is encrypted traffic, never a success,
    /// unless the stand-in that terminated it (`served`) says what was inside.
    private static func tlsOutcome(_ c: Conn, served: Conn?) -> (Attempt.Outcome, TimeSpan?) {
        if let completed = c.tlsCompleted ?? served?.tlsCompleted {
            if served != nil {
                // The stand-in read it, and no request came: an idle connection, or a client
                // that refused the certificate after the handshake (curl checks the name then).
                if let closed = c.closed ?? served?.closed {
                    return (.tlsFailure("the handshake completed, then the client closed the connection without a "
                        + "request (a certificate it refused after the handshake, such as a name mismatch)"), closed)
                }
                return (.connected, nil)
            }
            let what = [completed.version, completed.alpn.map { "ALPN " + $0.joined(separator: ",") }].compactMap { $0 }
            let after = what.isEmpty ? "" : " (\(what.joined(separator: ", ")))"
            return (.undecoded("TLS: the handshake completed\(after); the calls inside are encrypted, which the observer cannot read"), nil)
        }
        // The wire's alert when it read its code; else the stand-in's, which decrypted it.
        let readable = { (a: (TLSStep, TimeSpan)?) -> (TLSStep, TimeSpan)? in
            guard let a, a.0.alert != nil, a.0.alert != "encrypted", a.0.sender != nil else { return nil }
            return a
        }
        if let (step, t) = readable(c.tlsAlert) ?? readable(served?.tlsAlert) ?? c.tlsAlert ?? served?.tlsAlert {
            let sender = step.sender.map { " from the \($0)" } ?? ""
            let code = step.alert == "encrypted" || step.alert == nil
                ? "an encrypted alert\(sender) (TLS 1.3 hides its code; usually a certificate it does not accept)"
                : "alert \(step.alert!)\(sender)"
            return (.tlsFailure(code), t)
        }
        if let (kind, t) = c.failure ?? served?.failure, kind == "reset" { return (.tlsFailure("reset before the handshake completed"), t) }
        if let closed = c.closed ?? served?.closed { return (.tlsFailure("closed before the handshake completed"), closed) }
        // Still open when the run ended, the handshake unfinished: the server never answered it
        // (paused, partitioned one way, a stalled handshake), as an HTTP request without a response.
        return (.tlsFailure("the handshake did not complete"), nil)
    }
}
