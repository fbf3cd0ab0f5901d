import FaultlineCore
import RunHistory
import ScenarioFormat

/// Hand-built wire traffic: HTTP exchanges and failed connections as the observer records them.
struct TrafficBuilder {
    var events: [Event] = [Event(t: .zero, .timelineStarted)]
    private var next = 1

    static func t(_ ms: Double) -> TimeSpan { .milliseconds(ms) }

    /// One HTTP exchange on its own connection: request at `at` ms, answer `latency` ms later.
    mutating func http(
        at ms: Double, from: String = "client", to: String = "api", path: String = "/v1/kv/x", status: Int,
        retryAfter: String? = nil, latency: Double = 2, sourcePort: UInt16 = 40000
    ) {
        let id = next
        next += 1
        events.append(Event(t: Self.t(ms - 0.5), .connection(ConnectionEvent(connection: id, from: from, to: to, sourcePort: sourcePort, port: 8080, phase: .attempt))))
        events.append(Event(t: Self.t(ms - 0.2), .connection(ConnectionEvent(connection: id, from: from, to: to, sourcePort: sourcePort, port: 8080, phase: .established))))
        events.append(Event(t: Self.t(ms), .httpRequest(HTTPRequestEvent(exchange: id, connection: id, from: from, to: to, port: 8080, method: "GET", path: path, via: "wire"))))
        events.append(Event(t: Self.t(ms + latency), .httpResponse(HTTPResponseEvent(exchange: id, connection: id, from: from, to: to, status: status, retryAfter: retryAfter, latency: Self.t(latency), via: "wire"))))
    }

    /// A connection attempt answered by RST (refused) after 0.1 ms.
    mutating func refused(at ms: Double, from: String = "client", to: String = "api") {
        let id = next
        next += 1
        events.append(Event(t: Self.t(ms), .connection(ConnectionEvent(connection: id, from: from, to: to, sourcePort: 40001, port: 8080, phase: .attempt))))
        events.append(Event(t: Self.t(ms + 0.1), .connection(ConnectionEvent(connection: id, from: from, to: to, sourcePort: 40001, port: 8080, phase: .refused))))
    }

    /// A connection the observer cannot read inside: established, its first bytes `application`
    /// (TLS, h2, …), closed after `lasting` ms, as many calls as it may have carried unseen.
    /// TLS shows its handshake's `steps` (by default hellos and completion, TLS 1.3).
    mutating func opaque(
        at ms: Double, application: ApplicationProtocol, lasting: Double = 50, from: String = "client", to: String = "api",
        handshake: [TLSStep] = Self.completedHandshake, closes: ConnectionPhase? = .closed, sourcePort: UInt16 = 40002
    ) {
        let id = next
        next += 1
        func add(_ dt: Double, _ phase: ConnectionPhase, tls: TLSStep? = nil) {
            events.append(Event(t: Self.t(ms + dt), .connection(ConnectionEvent(
                connection: id, from: from, to: to, sourcePort: sourcePort, port: 8443, phase: phase,
                application: phase == .identified ? application : nil, tls: tls))))
        }
        add(0, .attempt)
        add(0.2, .established)
        add(0.5, .identified)
        if application == .tls {
            for (i, step) in handshake.enumerated() { add(1 + Double(i), .tls, tls: step) }
        }
        if let closes { add(lasting, closes) }
    }

    /// A TLS stand-in's own side of a connection from `sourcePort`, accepted at `at` ms: how its
    /// handshake ended (`ended`, nil for never), the requests it served inside (answered with
    /// `statuses`, 5 ms apart), and its close after `lasting` ms (nil: still open).
    mutating func served(
        at ms: Double, sourcePort: UInt16 = 40002, ended: TLSStep? = TLSStep(step: .completed, version: "TLS 1.3"),
        statuses: [Int] = [], closes: ConnectionPhase? = .closed, lasting: Double = 50, from: String = "client", to: String = "api"
    ) {
        let id = next
        next += 1
        func add(_ dt: Double, _ phase: ConnectionPhase, application: ApplicationProtocol? = nil, tls: TLSStep? = nil) {
            events.append(Event(t: Self.t(ms + dt), .connection(ConnectionEvent(
                connection: id, from: from, to: to, sourcePort: sourcePort, port: 8443, phase: phase,
                application: application, tls: tls, via: "service:\(to)"))))
        }
        add(0.3, .established)
        add(0.3, .identified, application: .tls)
        if let ended { add(2, .tls, tls: ended) }
        for (i, status) in statuses.enumerated() {
            let exchange = 1000 + id * 10 + i
            let t = ms + 5 + Double(i) * 5
            events.append(Event(t: Self.t(t), .httpRequest(HTTPRequestEvent(
                exchange: exchange, from: from, to: to, port: 8443, method: "PUT", path: "/v1/kv/x", via: "service:\(to)",
                sourcePort: sourcePort, tls: true))))
            events.append(Event(t: Self.t(t + 1), .httpResponse(HTTPResponseEvent(
                exchange: exchange, from: from, to: to, status: status, latency: Self.t(1), via: "service:\(to)"))))
        }
        if let closes { add(lasting, closes) }
    }

    static let completedHandshake = [
        TLSStep(step: .clientHello, serverName: "api", alpn: ["h2"], versions: ["TLS 1.3"]),
        TLSStep(step: .serverHello, version: "TLS 1.3"),
        TLSStep(step: .completed, version: "TLS 1.3"),
    ]

    mutating func fault(_ name: String, applied: Double, healed: Double?) {
        events.append(Event(t: Self.t(applied), .faultApplied(fault: name, planned: Self.t(applied), engine: "test", detail: "")))
        if let healed { events.append(Event(t: Self.t(healed), .faultHealed(fault: name, planned: Self.t(healed)))) }
    }

    func history(endingAt ms: Double) -> [Event] {
        Histories.sorted(events + [Event(t: Self.t(ms), .timelineEnded)])
    }
}
