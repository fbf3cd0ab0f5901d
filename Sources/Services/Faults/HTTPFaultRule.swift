import FaultlineCore
import ScenarioFormat

/// An HTTP fault as a running stand-in applies it: the scenario's ``HTTPFault`` without its target,
/// named so each answer it shapes can say which fault did.
public struct HTTPFaultRule: Sendable, Equatable {
    public var name: String
    public var match: HTTPMatch
    public var action: HTTPFaultAction
    public var first: Int?
    public var delay: TimeSpan?

    public init(name: String, match: HTTPMatch = HTTPMatch(), action: HTTPFaultAction, first: Int? = nil,
                delay: TimeSpan? = nil) {
        self.name = name
        self.match = match
        self.action = action
        self.first = first
        self.delay = delay
    }

    public init(name: String, fault: HTTPFault) {
        self.init(name: name, match: fault.match, action: fault.action, first: fault.first, delay: fault.delay)
    }

    /// What the rule does to the `n`-th (from 0) matching request since it was installed; nil when
    /// it leaves that request alone (past `first`, or past the end of a sequence).
    public func decision(forMatch n: Int) -> FaultDecision? {
        if let first, n >= first { return nil }
        let shaped: FaultDecision.Action?
        switch action {
        case .respond(let reply): shaped = .reply(reply)
        case .abort(let mode): shaped = .abort(mode)
        case .passThrough: shaped = .pass
        case .sequence(let steps):
            guard n < steps.count else { return nil }
            switch steps[n] {
            case .reply(let reply): shaped = .reply(reply)
            case .pass: shaped = .pass
            }
        }
        guard let shaped else { return nil }
        // A request the service answers on time was not shaped at all.
        if case .pass = shaped, delay == nil { return nil }
        return FaultDecision(fault: name, action: shaped, delay: delay)
    }

    /// One line for the history and the report: `GET /v1/kv/* → 429 Retry-After: 1 (first 2), delay 200ms`.
    public var summary: String {
        var s = "\(match) → "
        switch action {
        case .respond(let reply): s += reply.summary
        case .sequence(let steps):
            s += "[" + steps.map { step in
                if case .reply(let r) = step { return r.summary }
                return "pass"
            }.joined(separator: ", ") + "]"
        case .abort(let mode): s += "abort (\(mode.rawValue))"
        case .passThrough: s += "the service's answer"
        }
        if let first { s += " (first \(first))" }
        if let delay { s += ", delay \(delay)" }
        return s
    }
}

extension HTTPFaultReply {
    var summary: String {
        if let grpcStatus {
            return pushbackMilliseconds.map { "\(grpcStatus) pushback \($0) ms" } ?? "\(grpcStatus)"
        }
        return retryAfter.map { "\(status) Retry-After: \($0)" } ?? "\(status)"
    }
}
