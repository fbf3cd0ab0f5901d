import FaultlineCore
import RunHistory
import ScenarioFormat

/// Who a connection's messages are between, for the events they become.
struct ConnectionLabel: Sendable {
    var connection: Int
    var client: String
    var server: String
    var port: UInt16
    /// The client's port, for the connection events decoders add.
    var sourcePort: UInt16 = 0
}

/// The HTTP exchanges of one TCP connection: requests and responses paired in order, as
/// keep-alive and pipelining require (HTTP/1.x answers in the order asked).
struct HTTPConversation {
    private(set) var requests = HTTPStreamParser(role: .requests)
    private(set) var responses = HTTPStreamParser(role: .responses)
    /// Requests not answered yet, oldest first; bounded so a server that never answers cannot
    /// grow it without end.
    private var pending: [(exchange: Int, method: String, start: Int64, http2Settings: String?)] = []
    static let maxPending = 256
    static let via = "wire"
    /// The connection speaks HTTP/2 (prior knowledge, or after `Upgrade: h2c`): it reads the rest.
    var http2: H2Connection?
    /// The connection is TLS: its handshake is followed, and nothing after it can be read.
    var tls: TLSConnection?

    var unparsedBytes: Int { requests.unparsedBytes + responses.unparsedBytes + (http2?.unreadBytes ?? 0) + (tls?.unreadBytes ?? 0) }

    /// The client sent `bytes` at `time`.
    mutating func client(
        _ bytes: UnsafeRawBufferPointer, at time: Int64, label: ConnectionLabel, ids: ExchangeCounter,
        emit: (EventKind, Int64) -> Void
    ) {
        if http2 != nil { return http2?.feed(bytes, from: .client, at: time, emit: emit) ?? () }
        if tls != nil { return tls?.feed(bytes, from: .client, at: time, emit: emit) ?? () }
        var fresh: [(Int, String, Int64, String?)] = []
        requests.feed(bytes, at: time) { head, start in
            guard case .request(let method, let target) = head.startLine else { return .stop }
            let exchange = ids.next()
            fresh.append((exchange, method, start, head.headers["http2-settings"]))
            emit(
                .httpRequest(HTTPRequestEvent(
                    exchange: exchange, connection: label.connection, from: label.client, to: label.server,
                    port: label.port, method: method, path: target, headers: head.headers, via: Self.via)),
                start)
            // A tunnel carries no more HTTP from here on.
            return method == "CONNECT" ? .stop : .body
        }
        pending.append(contentsOf: fresh.map { (exchange: $0.0, method: $0.1, start: $0.2, http2Settings: $0.3) })
        if pending.count > Self.maxPending { pending.removeFirst(pending.count - Self.maxPending) }
    }

    /// The server sent `bytes` at `time`.
    mutating func server(
        _ bytes: UnsafeRawBufferPointer, at time: Int64, label: ConnectionLabel, ids: ExchangeCounter,
        emit: (EventKind, Int64) -> Void
    ) {
        if http2 != nil { return http2?.feed(bytes, from: .server, at: time, emit: emit) ?? () }
        if tls != nil { return tls?.feed(bytes, from: .server, at: time, emit: emit) ?? () }
        var pending = self.pending
        var switched: (stream: H2Stream, settings: [UInt8]?)?
        var after: [UInt8] = []
        defer {
            self.pending = pending
            if let switched { upgrade(switched.stream, settings: switched.settings, then: after, at: time, label: label, ids: ids, emit: emit) }
        }
        responses.feed(bytes, at: time, after: { after += $0 }) { head, start in
            guard case .response(let status) = head.startLine else { return .stop }
            // Interim answers (100 Continue) precede the real one for the same request.
            if (100..<200).contains(status) && status != 101 { return .noBody }
            let request = pending.isEmpty ? nil : pending.removeFirst()
            let exchange = request?.exchange ?? ids.next()
            let latency = request.map { TimeSpan(nanoseconds: max(0, start - $0.start)) } ?? .zero
            emit(
                .httpResponse(HTTPResponseEvent(
                    exchange: exchange, connection: label.connection, from: label.client, to: label.server,
                    status: status, retryAfter: head.headers["retry-after"], latency: latency, via: Self.via)),
                start)
            if status == 101, let request {
                switched = (H2Stream(exchange: exchange, start: request.start, grpc: false), request.http2Settings.flatMap(H2Settings.fromUpgradeHeader))
                return .stop
            }
            if request?.method == "HEAD" { return .noBody }
            if request?.method == "CONNECT" && (200..<300).contains(status) { return .stop }
            return .body
        }
    }

    /// The connection ended: heads cut short count as unparsed.
    mutating func finish(emit: (EventKind, Int64) -> Void) {
        requests.finish()
        responses.finish()
        pending.removeAll()
        http2?.finish(emit: emit)
    }

    /// `count` bytes went by uncaptured (past the snapshot length): harmless inside a body.
    mutating func skip(_ count: Int, fromClient: Bool, emit: (EventKind, Int64) -> Void) {
        if http2 != nil { return http2?.skip(count, from: fromClient ? .client : .server, emit: emit) ?? () }
        if tls != nil { return tls?.lost(from: fromClient ? .client : .server, emit: emit) ?? () }
        if fromClient { requests.skip(count) } else { responses.skip(count) }
    }

    /// Bytes went missing in one direction: that direction stops parsing.
    mutating func lost(fromClient: Bool, emit: (EventKind, Int64) -> Void) {
        if http2 != nil { return http2?.lost(from: fromClient ? .client : .server, emit: emit) ?? () }
        if tls != nil { return tls?.lost(from: fromClient ? .client : .server, emit: emit) ?? () }
        if fromClient { requests.lostBytes() } else { responses.lostBytes() }
    }
}

/// Hands out exchange numbers, unique within the observer's run.
final class ExchangeCounter {
    private var last = 0
    func next() -> Int {
        last += 1
        return last
    }
}
