import FaultlineCore
import Foundation
import NIOCore
import ScenarioFormat

/// `service: consul-kv`: enough of Consul's KV HTTP API for real clients (py-consul, Go consul/api).
///
/// `GET/PUT/DELETE /v1/kv/<key>` with `?recurse`, `?keys` (+ `separator`), `?raw`, `?cas`,
/// `?flags`, blocking queries (`?index=N&wait=5s`), and an optional ACL token. Every answer
/// carries `X-Consul-Index` (Go's client fails without it, 404s included), `X-Consul-KnownLeader`
/// and `X-Consul-LastContact`.
public struct ConsulKVResponder: HTTPResponder {
    public let store: ConsulKVStore
    public let aclToken: String?
    /// Consul's default and longest blocking waits.
    static let defaultWait = TimeAmount.minutes(5)
    static let longestWait = TimeAmount.minutes(10)
    /// Consul refuses larger values.
    static let maxValueSize = 512 * 1024
    static let prefix = "/v1/kv/"

    public init(store: ConsulKVStore, aclToken: String? = nil) {
        self.store = store
        self.aclToken = aclToken
    }

    public init(spec: ConsulKVSpec) {
        self.init(store: ConsulKVStore(entries: spec.entries), aclToken: spec.aclToken)
    }

    public func answer(_ request: ServiceRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ServiceResponse> {
        eventLoop.makeSucceededVoidFuture().flatMap { handle(request, on: eventLoop) }
    }

    private func handle(_ request: ServiceRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ServiceResponse> {
        let now = { (r: ServiceResponse) in eventLoop.makeSucceededFuture(r) }
        if let aclToken {
            let sent = request.headers.first(name: "X-Consul-Token") ?? request.queryValue("token")
                ?? request.headers.first(name: "Authorization").map { String($0.dropFirst("Bearer ".count)) }
            if sent != aclToken { return now(error(403, "Permission denied: ACL not found")) }
        }
        guard request.rawPath.hasPrefix(Self.prefix) || request.rawPath == "/v1/kv" else {
            return now(error(404, ""))
        }
        guard let key = request.path.map({ String($0.dropFirst(min($0.count, Self.prefix.count))) }),
              !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return now(error(400, "Invalid key: malformed escape or control character"))
        }
        switch request.method {
        case "GET", "HEAD": return read(key, request, on: eventLoop)
        case "PUT": return now(put(key, request))
        case "DELETE": return now(delete(key, request))
        default:
            var r = error(405, "method \(request.method) not allowed")
            r.headers.append(("Allow", "GET, PUT, DELETE"))
            return now(r)
        }
    }

    // MARK: Reads

    private func read(_ key: String, _ request: ServiceRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ServiceResponse> {
        let keysOnly = request.queryValue("keys") != nil
        let selection: ConsulKVStore.Selection = keysOnly || request.flag("recurse") ? .prefix(key) : .key(key)
        var minIndex: UInt64 = 0
        if let text = request.queryValue("index") {
            guard let n = UInt64(text) else { return eventLoop.makeSucceededFuture(error(400, "Invalid index")) }
            minIndex = n
        }
        var wait = Self.defaultWait
        if let text = request.queryValue("wait") {
            guard let span = TimeSpan(parsing: text) else {
                return eventLoop.makeSucceededFuture(error(400, "Invalid wait time"))
            }
            wait = min(.nanoseconds(span.nanoseconds), Self.longestWait)
        }
        let answer: @Sendable () -> ServiceResponse = { self.readNow(selection, keysOnly: keysOnly, request) }
        guard minIndex > 0 else { return eventLoop.makeSucceededFuture(answer()) }
        return store.waitForChange(of: selection, after: minIndex, wait: wait, on: eventLoop).map { answer() }
    }

    private func readNow(_ selection: ConsulKVStore.Selection, keysOnly: Bool, _ request: ServiceRequest) -> ServiceResponse {
        let index = store.index(of: selection)
        let records = store.read(selection)
        guard !records.isEmpty else { return response(404, index: index, body: []) }
        if keysOnly {
            guard case .prefix(let prefix) = selection else { return response(404, index: index, body: []) }
            let separator = request.queryValue("separator") ?? ""
            var keys: [String] = []
            for r in records {
                var k = r.key
                if !separator.isEmpty, let cut = k.dropFirst(prefix.count).range(of: separator) {
                    k = String(k[..<cut.upperBound])
                }
                if keys.last != k { keys.append(k) }
            }
            return json(keys, index: index)
        }
        if request.flag("raw"), case .key = selection {
            var r = response(200, index: index, body: records[0].value ?? [])
            r.headers.append(("Content-Type", "application/octet-stream"))
            return r
        }
        return json(records, index: index)
    }

    // MARK: Writes

    private func put(_ key: String, _ request: ServiceRequest) -> ServiceResponse {
        guard !key.isEmpty else { return error(400, "Missing key name") }
        if request.queryValue("acquire") != nil || request.queryValue("release") != nil {
            return error(400, "acquire and release need sessions, which this stand-in does not serve")
        }
        guard request.body.count <= Self.maxValueSize else {
            return error(413, "Value exceeds \(Self.maxValueSize) byte limit")
        }
        var flags: UInt64 = 0
        if let text = request.queryValue("flags") {
            guard let f = UInt64(text) else { return error(400, "Invalid flags") }
            flags = f
        }
        guard let cas = casValue(request) else { return error(400, "Invalid cas index") }
        let done = store.put(key, value: request.body, flags: flags, cas: cas)
        return json(done, index: store.index(of: .key(key)))
    }

    private func delete(_ key: String, _ request: ServiceRequest) -> ServiceResponse {
        let recurse = request.flag("recurse")
        guard recurse || !key.isEmpty else { return error(400, "Missing key name") }
        if recurse, request.queryValue("cas") != nil { return error(400, "Conflicting flags: recurse&cas") }
        guard let cas = casValue(request) else { return error(400, "Invalid cas index") }
        let selection: ConsulKVStore.Selection = recurse ? .prefix(key) : .key(key)
        let done = store.delete(selection, cas: cas)
        return json(done, index: store.index(of: selection))
    }

    /// `?cas=N`: `.some(nil)` when absent, nil when malformed.
    private func casValue(_ request: ServiceRequest) -> UInt64?? {
        guard let text = request.queryValue("cas") else { return .some(nil) }
        return UInt64(text).map { .some($0) } ?? nil
    }

    // MARK: Answers

    private func error(_ status: Int, _ message: String) -> ServiceResponse {
        var r = response(status, index: store.index(of: .prefix("")), body: Array(message.utf8))
        if !message.isEmpty { r.headers.append(("Content-Type", "text/plain; charset=utf-8")) }
        return r
    }

    private func json(_ value: some Encodable, index: UInt64) -> ServiceResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var r = response(200, index: index, body: Array((try? encoder.encode(value)) ?? Data("null".utf8)))
        r.headers.append(("Content-Type", "application/json"))
        return r
    }

    private func response(_ status: Int, index: UInt64, body: [UInt8]) -> ServiceResponse {
        ServiceResponse(status: status, headers: [
            ("X-Consul-Index", String(index)), ("X-Consul-Knownleader", "true"), ("X-Consul-Lastcontact", "0"),
        ], body: body)
    }
}
