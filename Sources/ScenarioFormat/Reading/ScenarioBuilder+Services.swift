/// Reads a host's stand-in service: `service: http | consul-kv | etcd` with `port:` and the keys of its kind.
extension ScenarioBuilder {
    static let serviceKeys = ["service", "port", "routes", "kv", "acl", "tls"]
    static let routeKeys = ["path", "method", "respond"]
    static let replyKeys = ["status", "body", "headers", "delay"]
    static let httpMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    /// The service of a host whose mapping is `f`; nil when it has none or it could not be read.
    func readService(_ f: Fields, host: String) -> Service? {
        guard let kindNode = f["service"] else {
            for key in Self.serviceKeys.dropFirst() where f.has(key) {
                r.error(f.keyNode(key), f.path(key), "'\(key)' belongs to a stand-in service; add service: http, "
                    + "consul-kv or etcd, or remove it")
            }
            return nil
        }
        guard let kind = r.text(kindNode, f.path("service"), what: "a service kind") else { return nil }
        if f.has("run") {
            r.error(f.keyNode("service"), f.path("service"), "host '\(host)' has both 'run' and 'service'; "
                + "a host runs a program or a stand-in service, not both")
        }
        let errorsBefore = r.errorCount
        switch kind {
        case "http":
            rejectKeys(["kv", "acl"], in: f, kind: kind)
            let port = r.require(f, "port", hint: " (the port the http service listens on)")
                .flatMap { portNumber($0, f.path("port")) }
            let routes = f["routes"].map { readRoutes($0, f.path("routes")) } ?? []
            guard r.errorCount == errorsBefore, let port else { return nil }
            return .http(HTTPServiceSpec(port: port, routes: routes))
        case "consul-kv":
            rejectKeys(["routes"], in: f, kind: kind)
            let port = f["port"].map { portNumber($0, f.path("port")) } ?? 8500
            let entries = f["kv"].map { readKV($0, f.path("kv")) } ?? []
            let token = f["acl"].flatMap { readACL($0, f.path("acl")) }
            guard r.errorCount == errorsBefore, let port else { return nil }
            return .consulKV(ConsulKVSpec(port: port, entries: entries, aclToken: token))
        case "etcd":
            rejectKeys(["routes", "acl"], in: f, kind: kind)
            let port = f["port"].map { portNumber($0, f.path("port")) } ?? 2379
            let entries = f["kv"].map { readKV($0, f.path("kv"), leadingSlash: true) } ?? []
            guard r.errorCount == errorsBefore, let port else { return nil }
            return .etcd(EtcdSpec(port: port, entries: entries))
        default:
            r.error(kindNode, f.path("service"), "unknown service '\(kind)'; allowed: \(Service.keywords.listed)"
                + Suggestion.hint(for: kind, in: Service.keywords))
            return nil
        }
    }

    private func rejectKeys(_ keys: [String], in f: Fields, kind: String) {
        for key in keys where f.has(key) {
            r.error(f.keyNode(key), f.path(key), "'\(key)' does not apply to service: \(kind)")
        }
    }

    /// A TCP port, 1...65535.
    func portNumber(_ node: YAMLNode, _ path: String) -> UInt16? {
        guard let t = r.text(node, path, what: "a port number") else { return nil }
        guard let p = UInt16(t), p > 0 else {
            r.error(node, path, "port '\(t)' must be a number from 1 to 65535")
            return nil
        }
        return p
    }

    // MARK: http

    private func readRoutes(_ node: YAMLNode, _ path: String) -> [HTTPRoute] {
        guard let items = r.list(node, path) else { return [] }
        return items.enumerated().compactMap { i, item in readRoute(item, "\(path)[\(i)]") }
    }

    private func readRoute(_ node: YAMLNode, _ path: String) -> HTTPRoute? {
        guard let f = r.fields(node, path, allowed: Self.routeKeys) else { return nil }
        let pattern = r.require(f, "path").flatMap { pathPattern($0, f.path("path")) }
        let method = f["method"].flatMap { httpMethod($0, f.path("method")) }
        let reply = r.require(f, "respond").flatMap { readReply($0, f.path("respond")) }
        guard let pattern, let reply, f["method"] == nil || method != nil else { return nil }
        return HTTPRoute(path: pattern, method: method, respond: reply)
    }

    /// A path pattern: starts with `/` (or is `*`); `*` matches any run of characters.
    func pathPattern(_ node: YAMLNode, _ path: String) -> String? {
        guard let s = r.text(node, path, what: "a path such as /v1/items") else { return nil }
        guard s.hasPrefix("/") || s == "*" else {
            r.error(node, path, "path '\(s)' must start with '/' (or be '*'); '*' matches any characters, "
                + "e.g. /v1/kv/*")
            return nil
        }
        return s
    }

    func httpMethod(_ node: YAMLNode, _ path: String) -> String? {
        guard let s = r.text(node, path, what: "an HTTP method") else { return nil }
        let upper = s.uppercased()
        guard Self.httpMethods.contains(upper) else {
            r.error(node, path, "unknown method '\(s)'; allowed: \(Self.httpMethods.listed)"
                + Suggestion.hint(for: upper, in: Self.httpMethods))
            return nil
        }
        return upper
    }

    private func readReply(_ node: YAMLNode, _ path: String) -> HTTPReply? {
        guard let f = r.fields(node, path, allowed: Self.replyKeys) else { return nil }
        let errorsBefore = r.errorCount
        let status = r.require(f, "status").flatMap { httpStatus($0, f.path("status")) }
        var reply = HTTPReply(status: status ?? 200)
        if let n = f["body"] { reply.body = r.text(n, f.path("body"), what: "a body text") ?? "" }
        if let n = f["delay"] { reply.delay = r.timeSpan(n, f.path("delay")) }
        if let n = f["headers"], let h = r.fields(n, f.path("headers"), allowed: []) {
            for e in h.entries {
                if let v = r.text(e.value, h.path(e.key)) { reply.headers.append(HTTPHeader(e.key, v)) }
                if e.key.lowercased() == "content-length" {
                    r.error(e.keyNode, h.path(e.key), "Content-Length is computed from the body; remove it")
                }
            }
        }
        return r.errorCount == errorsBefore ? reply : nil
    }

    /// A status code, 100...599.
    func httpStatus(_ node: YAMLNode, _ path: String) -> Int? {
        guard let t = r.text(node, path, what: "an HTTP status such as 200") else { return nil }
        guard let s = Int(t), (100...599).contains(s) else {
            r.error(node, path, "status '\(t)' must be an HTTP status from 100 to 599")
            return nil
        }
        return s
    }

    // MARK: consul-kv

    /// Consul keys are paths without a leading `/`; etcd keys are any non-empty bytes (`/config/db`).
    private func readKV(_ node: YAMLNode, _ path: String, leadingSlash: Bool = false) -> [KVEntry] {
        guard let f = r.fields(node, path, allowed: [], nullIsEmpty: true) else { return [] }
        return f.entries.compactMap { e in
            guard let value = r.text(e.value, f.path(e.key), what: "a text value") else { return nil }
            if leadingSlash, e.key.isEmpty {
                r.error(e.keyNode, f.path(e.key), "an etcd key must not be empty (etcd refuses it)")
                return nil
            }
            if !leadingSlash, e.key.isEmpty || e.key.hasPrefix("/") {
                r.error(e.keyNode, f.path(e.key), "key '\(e.key)' must not be empty or start with '/'; "
                    + "write e.g. config/db")
                return nil
            }
            return KVEntry(e.key, value)
        }
    }

    private func readACL(_ node: YAMLNode, _ path: String) -> String? {
        guard let f = r.fields(node, path, allowed: ["token"]),
              let n = r.require(f, "token", hint: " (the token clients must send)"),
              let token = r.text(n, f.path("token"), what: "a token") else { return nil }
        guard !token.isEmpty else {
            r.error(n, f.path("token"), "the token is empty; write the secret clients must send")
            return nil
        }
        return token
    }
}
