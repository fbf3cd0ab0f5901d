import FaultlineCore

/// Reads an `http:` fault: which service, which requests, and what they get instead.
extension ScenarioBuilder {
    static let httpFaultKeys = ["target", "match", "respond", "first", "delay", "abort"]
    static let matchKeys = ["path", "method"]
    static let faultReplyKeys = ["status", "retry-after", "body", "message", "pushback"]

    func readHTTPFault(_ node: YAMLNode, _ path: String) -> HTTPFault? {
        guard let f = r.fields(node, path, allowed: Self.httpFaultKeys) else { return nil }
        let errorsBefore = r.errorCount
        let target = r.require(f, "target", hint: " (the host whose service answers)")
            .flatMap { serviceTarget($0, f.path("target")) }
        let service = target.flatMap { name in hosts.first { $0.name == name }?.service }
        var match = HTTPMatch()
        if let n = f["match"], let m = r.fields(n, f.path("match"), allowed: Self.matchKeys) {
            if let p = m["path"], let pattern = pathPattern(p, m.path("path")) { match.path = pattern }
            if let n = m["method"] { match.method = httpMethod(n, m.path("method")) }
        }
        let first = f["first"].flatMap { positiveCount($0, f.path("first")) }
        let delay = f["delay"].flatMap { r.timeSpan($0, f.path("delay"), positive: true) }

        var action = HTTPFaultAction.passThrough
        if f.has("respond"), f.has("abort") {
            r.error(f.keyNode("abort"), f.path("abort"), "a fault either answers (respond) or drops the "
                + "connection (abort), not both")
        } else if let n = f["respond"] {
            action = readFaultResponse(n, f.path("respond"), service: service).map { $0 } ?? .passThrough
        } else if let n = f["abort"], let s = r.text(n, f.path("abort"), what: "reset or close") {
            let allowed = HTTPAbort.allCases.map(\.rawValue)
            if let mode = HTTPAbort(rawValue: s) {
                action = .abort(mode)
            } else {
                r.error(n, f.path("abort"), "unknown abort '\(s)'; allowed: \(allowed.listed)"
                    + Suggestion.hint(for: s, in: allowed))
            }
        } else if !f.has("delay") {
            r.error(node, path, "an http fault needs at least one of: respond (a status or a sequence), "
                + "abort: reset | close, delay")
        }
        guard r.errorCount == errorsBefore, let target else { return nil }
        return HTTPFault(target: target, match: match, action: action, first: first, delay: delay)
    }

    /// A host that runs a stand-in service.
    private func serviceTarget(_ node: YAMLNode, _ path: String) -> String? {
        guard let name = hostReference(node, path) else { return nil }
        let withService = hosts.filter { $0.service != nil }.map(\.name)
        // A host whose body could not be read was reported already.
        guard let host = hosts.first(where: { $0.name == name }) else { return nil }
        guard host.service != nil else {
            let known = withService.isEmpty ? "none has one" : withService.listed
            r.error(node, path, "host '\(name)' runs no stand-in service, so there is nothing to answer; "
                + "hosts with a service: \(known)")
            return nil
        }
        return name
    }

    private func positiveCount(_ node: YAMLNode, _ path: String) -> Int? {
        guard let t = r.text(node, path, what: "a whole number") else { return nil }
        guard let n = Int(t), n > 0 else {
            r.error(node, path, "expected a whole number of requests, 1 or more, found '\(t)'")
            return nil
        }
        return n
    }

    /// `{ status: 429, retry-after: 1s }` or a sequence `[503, { status: 503, retry-after: 2 }, pass]`;
    /// for a gRPC service also `UNAVAILABLE` or `{ status: RESOURCE_EXHAUSTED, pushback: 2s }`.
    private func readFaultResponse(_ node: YAMLNode, _ path: String, service: Service?) -> HTTPFaultAction? {
        if node.isSequence {
            guard let items = r.list(node, path) else { return nil }
            if items.isEmpty {
                r.error(node, path, "the sequence is empty; write statuses such as [503, 503, pass]")
                return nil
            }
            let steps = items.enumerated().map { i, item in faultStep(item, "\(path)[\(i)]", service: service) }
            guard steps.allSatisfy({ $0 != nil }) else { return nil }
            return .sequence(steps.compactMap { $0 })
        }
        return faultReply(node, path, service: service).map(HTTPFaultAction.respond)
    }

    private func faultStep(_ node: YAMLNode, _ path: String, service: Service?) -> HTTPFaultStep? {
        if node.scalar == "pass" { return .pass }
        return faultReply(node, path, service: service).map(HTTPFaultStep.reply)
    }

    /// A status alone (`503`, `UNAVAILABLE`) or `{ status, retry-after, body }`, or for a gRPC code
    /// `{ status, message, pushback }`.
    private func faultReply(_ node: YAMLNode, _ path: String, service: Service?) -> HTTPFaultReply? {
        if node.isScalar {
            switch statusWord(node, path, service: service) {
            case .grpc(let code): return HTTPFaultReply(grpc: code)
            case .refused: return nil
            case .http: return httpStatus(node, path).map { HTTPFaultReply(status: $0) }
            }
        }
        guard let f = r.fields(node, path, allowed: Self.faultReplyKeys) else { return nil }
        let errorsBefore = r.errorCount
        guard let statusNode = r.require(f, "status") else { return nil }
        let word = statusWord(statusNode, f.path("status"), service: service)
        if word != .http {
            for key in ["retry-after", "body"] where f.has(key) {
                r.error(f.keyNode(key), f.path(key), "'\(key)' belongs to an HTTP answer; a gRPC status takes "
                    + (key == "body" ? "message: (its grpc-message)" : "pushback: (grpc-retry-pushback-ms)"))
            }
            let message = f["message"].flatMap { r.text($0, f.path("message"), what: "a status message") } ?? ""
            let pushback = f["pushback"].flatMap { pushbackMilliseconds($0, f.path("pushback")) }
            guard r.errorCount == errorsBefore, case .grpc(let code) = word else { return nil }
            return HTTPFaultReply(grpc: code, message: message, pushbackMilliseconds: pushback)
        }
        for key in ["message", "pushback"] where f.has(key) {
            r.error(f.keyNode(key), f.path(key), "'\(key)' belongs to a gRPC status (such as UNAVAILABLE); "
                + "an HTTP answer takes body: and retry-after:")
        }
        let status = httpStatus(statusNode, f.path("status"))
        let retryAfter = f["retry-after"].flatMap { retryAfterSeconds($0, f.path("retry-after")) }
        let body = f["body"].flatMap { r.text($0, f.path("body"), what: "a body text") } ?? ""
        guard r.errorCount == errorsBefore, let status else { return nil }
        return HTTPFaultReply(status: status, retryAfter: retryAfter, body: body)
    }

    /// What a reply's `status` word is.
    private enum StatusWord: Equatable {
        /// Read it as an HTTP status (a number, or a word on an HTTP service, reported there).
        case http
        case grpc(GRPCStatusCode)
        /// A gRPC word that cannot be used here; already reported.
        case refused
    }

    private func statusWord(_ node: YAMLNode, _ path: String, service: Service?) -> StatusWord {
        guard let t = node.scalar, Int(t) == nil else { return .http }
        guard let code = GRPCStatusCode(name: t) else {
            guard service?.speaksGRPC == true else { return .http }
            let names = GRPCStatusCode.allCases.dropFirst().map(\.description)
            r.error(node, path, "unknown status '\(t)': an HTTP status from 100 to 599 or a gRPC code (\(names.listed))"
                + Suggestion.hint(for: t.uppercased(), in: names))
            return .refused
        }
        if let service, !service.speaksGRPC {
            r.error(node, path, "'\(t)' is a gRPC status, and service: \(service.keyword) answers HTTP; use an "
                + "HTTP status such as 503, or target a gRPC service (service: etcd)")
            return .refused
        }
        if code == .ok {
            r.error(node, path, "a fault answering OK would send no message; write pass to let the service answer")
            return .refused
        }
        return .grpc(code)
    }

    /// `grpc-retry-pushback-ms`: a duration (`500ms`, `2s`), or `never` (a negative value: do not retry).
    private func pushbackMilliseconds(_ node: YAMLNode, _ path: String) -> Int64? {
        if node.scalar == "never" { return -1 }
        guard let span = r.timeSpan(node, path) else { return nil }
        guard span.nanoseconds % 1_000_000 == 0 else {
            r.error(node, path, "pushback '\(span)' must be whole milliseconds (grpc-retry-pushback-ms carries "
                + "milliseconds), or never")
            return nil
        }
        return span.nanoseconds / 1_000_000
    }

    /// `Retry-After` is whole seconds on the wire: `2` or `2s`.
    private func retryAfterSeconds(_ node: YAMLNode, _ path: String) -> Int? {
        guard let t = r.text(node, path, what: "whole seconds such as 2 or 2s") else { return nil }
        if let n = Int(t), n >= 0 { return n }
        guard let span = TimeSpan(parsing: t), span.nanoseconds % 1_000_000_000 == 0 else {
            r.error(node, path, "retry-after '\(t)' must be whole seconds (Retry-After carries seconds), "
                + "e.g. 2 or 2s")
            return nil
        }
        return Int(span.nanoseconds / 1_000_000_000)
    }
}
