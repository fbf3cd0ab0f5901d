import FaultlineCore
import NIOCore
import NIOHPACK
import RunHistory

/// The HTTP/2 cleartext side of one TCP connection: both directions' frames, one HPACK decoder
/// per direction, and the streams, each of which becomes one request and one answer event.
///
/// A plain stream is answered by its response headers; a gRPC stream by its status, in the
/// trailers or in a Trailers-Only response. RST_STREAM, or a GOAWAY that leaves the stream out,
/// before the answer gives an answer marked `reset`. Anything that makes the rest unreadable (a
/// capture gap, a header block HPACK cannot decode, bytes that are not HTTP/2 frames) stops the
/// connection: one `protocol` event says why, and nothing more is read from it.
struct H2Connection {
    enum Side: CustomStringConvertible {
        case client, server
        var description: String { self == .client ? "client" : "server" }
    }

    /// Streams kept at once; past it the oldest are forgotten (a client that never reads answers).
    static let maxStreams = 4096
    static let maxHeaderListSize = 64 * 1024
    /// The largest HPACK dynamic table followed, whatever SETTINGS_HEADER_TABLE_SIZE announces.
    static let maxTableSize = 1 << 20

    let label: ConnectionLabel
    let ids: ExchangeCounter
    private var clientFrames = H2FrameParser(preface: true, notHTTP2: "the client's bytes do not begin with the HTTP/2 connection preface")
    private var serverFrames: H2FrameParser
    /// Decodes the blocks the client encoded, and those the server encoded.
    private var clientDecoder: HPACKDecoder
    private var serverDecoder: HPACKDecoder
    private var clientBlock: H2HeaderBlock?
    private var serverBlock: H2HeaderBlock?
    /// SETTINGS each side sent and the other has not acknowledged yet, oldest first, with the
    /// SETTINGS_HEADER_TABLE_SIZE each announced: it bounds the other side's encoder once acked.
    private var unackedClientSettings: [Int?] = []
    private var unackedServerSettings: [Int?] = []
    private var streams: [UInt32: H2Stream] = [:]
    /// Why the connection stopped being read; nil while it is read.
    private(set) var undecoded: String?
    private var lastTime: Int64 = 0
    private var outbox: [(EventKind, Int64)] = []

    /// - Parameters:
    ///   - upgraded: for `Upgrade: h2c`, the HTTP/1.1 request the 101 answered, which continues
    ///     as stream 1 (RFC 7540 §3.2).
    ///   - upgradeSettings: that request's `HTTP2-Settings` payload: the client's first SETTINGS,
    ///     acknowledged by the 101 itself, so its header table size bounds the server's encoder at once.
    init(label: ConnectionLabel, ids: ExchangeCounter, upgraded: H2Stream? = nil, upgradeSettings: [UInt8]? = nil) {
        self.label = label
        self.ids = ids
        let allocator = ByteBufferAllocator()
        clientDecoder = HPACKDecoder(
            allocator: allocator, maxDynamicTableSize: HPACKDecoder.maxDynamicTableSize, maxHeaderListSize: Self.maxHeaderListSize)
        serverDecoder = clientDecoder
        // A 101 also switches to WebSocket and others.
        serverFrames = H2FrameParser(preface: false, notHTTP2: upgraded == nil
            ? "the server did not answer in HTTP/2 (its first bytes are not a SETTINGS frame)"
            : "the connection switched protocols (HTTP 101) to something other than HTTP/2")
        if var upgraded {
            upgraded.clientEnded = true
            streams[1] = upgraded
        }
        if let size = upgradeSettings.flatMap(H2Settings.headerTableSize) {
            serverDecoder.maxDynamicTableLength = min(size, Self.maxTableSize)
        }
    }

    /// Payload bytes past the point the connection stopped being read.
    var unreadBytes: Int { clientFrames.unreadBytes + serverFrames.unreadBytes }

    /// Reads bytes one side sent, captured at `time`.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, from side: Side, at time: Int64, emit: (EventKind, Int64) -> Void) {
        lastTime = time
        var frames: [H2Frame] = []
        if side == .client { clientFrames.feed(bytes) { frames.append($0) } } else { serverFrames.feed(bytes) { frames.append($0) } }
        for frame in frames where undecoded == nil { handle(frame, from: side, at: time) }
        checkFraming(at: time)
        flush(emit)
    }

    /// `count` bytes one side sent went by uncaptured.
    mutating func skip(_ count: Int, from side: Side, emit: (EventKind, Int64) -> Void) {
        var frames: [H2Frame] = []
        if side == .client { clientFrames.skip(count) { frames.append($0) } } else { serverFrames.skip(count) { frames.append($0) } }
        for frame in frames where undecoded == nil { handle(frame, from: side, at: lastTime) }
        checkFraming(at: lastTime)
        flush(emit)
    }

    /// Bytes one side sent are missing: frame boundaries and the header tables are lost with them.
    mutating func lost(from side: Side, emit: (EventKind, Int64) -> Void) {
        stop("a capture gap in the \(side)'s HTTP/2 stream: the frames and header tables after it cannot be followed", at: lastTime)
        flush(emit)
    }

    /// The connection ended: a gRPC call still waiting for its status never got one.
    mutating func finish(emit: (EventKind, Int64) -> Void) {
        if undecoded == nil {
            for (id, s) in streams.sorted(by: { $0.key < $1.key }) where s.status != nil && !s.answered {
                answer(id, s, at: lastTime, grpc: nil, reset: "the connection ended before the call's status")
            }
        }
        streams.removeAll()
        flush(emit)
    }

    private mutating func flush(_ emit: (EventKind, Int64) -> Void) {
        for (kind, t) in outbox { emit(kind, t) }
        outbox.removeAll(keepingCapacity: true)
    }

    private mutating func checkFraming(at time: Int64) {
        if let why = clientFrames.failure ?? serverFrames.failure { stop(why, at: time) }
    }

    /// Stops reading: the streams still open are left without answers (their calls are unseen).
    private mutating func stop(_ reason: String, at time: Int64) {
        guard undecoded == nil else { return }
        undecoded = reason
        clientFrames.fail(reason)
        serverFrames.fail(reason)
        streams.removeAll()
        outbox.append((.connection(ConnectionEvent(
            connection: label.connection, from: label.client, to: label.server, sourcePort: label.sourcePort, port: label.port,
            phase: .identified, application: .http2, undecoded: reason)), time))
    }

    // MARK: Frames

    private mutating func handle(_ frame: H2Frame, from side: Side, at time: Int64) {
        if let block = side == .client ? clientBlock : serverBlock {
            guard frame.type == H2Frame.Kind.continuation, frame.stream == block.stream else {
                return stop("the \(side)'s header block on stream \(block.stream) was cut by another frame", at: time)
            }
            var grown = block
            grown.fragment += frame.payload
            guard grown.fragment.count <= H2FrameParser.maxKeptPayload else {
                return stop("the \(side)'s header block on stream \(block.stream) is larger than the observer follows", at: time)
            }
            setBlock(side, frame.has(H2Frame.Flag.endHeaders) ? nil : grown)
            if frame.has(H2Frame.Flag.endHeaders) { decode(grown, from: side, at: time) }
            return
        }
        switch frame.type {
        case H2Frame.Kind.headers, H2Frame.Kind.pushPromise:
            let promise = frame.type == H2Frame.Kind.pushPromise
            guard frame.stream != 0, !(promise && side == .client), let fragment = H2HeaderBlock.fragment(of: frame) else {
                return stop("a malformed \(promise ? "PUSH_PROMISE" : "HEADERS") frame from the \(side) on stream \(frame.stream)", at: time)
            }
            let block = H2HeaderBlock(
                stream: frame.stream, endStream: !promise && frame.has(H2Frame.Flag.endStream), promise: promise, fragment: fragment,
                start: time)
            if frame.has(H2Frame.Flag.endHeaders) { decode(block, from: side, at: time) } else { setBlock(side, block) }
        case H2Frame.Kind.continuation:
            stop("a CONTINUATION frame from the \(side) with no header block open", at: time)
        case H2Frame.Kind.data:
            guard frame.stream != 0 else { return stop("a DATA frame from the \(side) on stream 0", at: time) }
            if frame.has(H2Frame.Flag.endStream) { ended(frame.stream, side: side, at: time) }
        case H2Frame.Kind.rstStream:
            guard frame.stream != 0, frame.length == 4 else { return stop("a malformed RST_STREAM frame from the \(side)", at: time) }
            reset(frame.stream, "RST_STREAM \(H2ErrorCode.name(Self.u32(frame.payload, 0))) (\(side))", at: time)
        case H2Frame.Kind.settings:
            settings(frame, from: side, at: time)
        case H2Frame.Kind.goaway:
            guard frame.stream == 0, frame.length >= 8 else { return stop("a malformed GOAWAY frame from the \(side)", at: time) }
            // Streams the server never processed (above its last stream id) get no answer.
            guard side == .server else { return }
            let last = Self.u32(frame.payload, 0) & 0x7FFF_FFFF
            let why = "GOAWAY \(H2ErrorCode.name(Self.u32(frame.payload, 4)))"
            for id in streams.keys.sorted() where id > last { reset(id, why, at: time) }
        case H2Frame.Kind.ping:
            guard frame.stream == 0, frame.length == 8 else { return stop("a malformed PING frame from the \(side)", at: time) }
        case H2Frame.Kind.windowUpdate:
            guard frame.length == 4 else { return stop("a malformed WINDOW_UPDATE frame from the \(side)", at: time) }
        case H2Frame.Kind.priority:
            guard frame.stream != 0, frame.length == 5 else { return stop("a malformed PRIORITY frame from the \(side)", at: time) }
        default:
            break  // Unknown frame types are ignored (RFC 9113 §4.1).
        }
    }

    private mutating func setBlock(_ side: Side, _ block: H2HeaderBlock?) {
        if side == .client { clientBlock = block } else { serverBlock = block }
    }

    /// SETTINGS_HEADER_TABLE_SIZE one side announces bounds the other side's encoder from the
    /// moment that side acknowledges it: its header blocks after the ACK follow the new bound.
    private mutating func settings(_ frame: H2Frame, from side: Side, at time: Int64) {
        guard frame.stream == 0, frame.length % 6 == 0, !(frame.has(H2Frame.Flag.ack) && frame.length > 0) else {
            return stop("a malformed SETTINGS frame from the \(side)", at: time)
        }
        if frame.has(H2Frame.Flag.ack) {
            if side == .server, !unackedClientSettings.isEmpty, let size = unackedClientSettings.removeFirst() {
                serverDecoder.maxDynamicTableLength = min(size, Self.maxTableSize)
            } else if side == .client, !unackedServerSettings.isEmpty, let size = unackedServerSettings.removeFirst() {
                clientDecoder.maxDynamicTableLength = min(size, Self.maxTableSize)
            }
            return
        }
        let tableSize = H2Settings.headerTableSize(frame.payload)
        // A peer that never acknowledges must not grow the queue without end.
        if side == .client {
            unackedClientSettings.append(tableSize)
            if unackedClientSettings.count > 64 { unackedClientSettings.removeFirst() }
        } else {
            unackedServerSettings.append(tableSize)
            if unackedServerSettings.count > 64 { unackedServerSettings.removeFirst() }
        }
    }

    private mutating func decode(_ block: H2HeaderBlock, from side: Side, at time: Int64) {
        var buffer = ByteBuffer(bytes: block.fragment)
        let decoded: HPACKHeaders
        do {
            decoded = side == .client ? try clientDecoder.decodeHeaders(from: &buffer) : try serverDecoder.decodeHeaders(from: &buffer)
        } catch {
            return stop("HPACK could not decode the \(side)'s header block on stream \(block.stream) (\(error)), so the header tables are out of step", at: time)
        }
        guard !block.promise else { return }
        let headers = decoded.map { (name: $0.name, value: $0.value) }
        if side == .client {
            request(block, headers)
        } else {
            response(block, headers, at: time)
        }
    }

    // MARK: Streams

    private mutating func request(_ block: H2HeaderBlock, _ headers: [(name: String, value: String)]) {
        // Headers on a stream already open are the request's trailers.
        if streams[block.stream] != nil {
            if block.endStream { ended(block.stream, side: .client, at: block.start) }
            return
        }
        var kept: [String: String] = [:]
        var method = "GET"
        var path: String?
        var authority: String?
        for (name, value) in headers {
            switch name {
            case ":method": method = String(value.prefix(32))
            case ":path": path = String(value.prefix(HTTPMessageHead.maxValueLength))
            case ":authority": authority = String(value.prefix(HTTPMessageHead.maxValueLength))
            default: if HTTPMessageHead.keptHeaders.contains(name) { kept[name] = String(value.prefix(HTTPMessageHead.maxValueLength)) }
            }
        }
        if let authority, kept["host"] == nil { kept["host"] = authority }
        let grpc = GRPCCall.isGRPC(contentType: kept["content-type"])
        if streams.count >= Self.maxStreams, let oldest = streams.keys.min() { streams[oldest] = nil }
        let exchange = ids.next()
        streams[block.stream] = H2Stream(exchange: exchange, start: block.start, grpc: grpc, clientEnded: block.endStream)
        outbox.append((.httpRequest(HTTPRequestEvent(
            exchange: exchange, connection: label.connection, from: label.client, to: label.server, port: label.port,
            method: method, path: path ?? authority ?? "*", headers: kept, via: HTTPConversation.via, stream: Int(block.stream),
            grpc: grpc ? true : nil)), block.start))
    }

    private mutating func response(_ block: H2HeaderBlock, _ headers: [(name: String, value: String)], at time: Int64) {
        guard var s = streams[block.stream], !s.answered else { return }
        let grpc = GRPCCall(headers: headers)
        if s.status == nil {
            guard let status = headers.first(where: { $0.name == ":status" }).flatMap({ Int($0.value) }) else { return }
            // Interim answers (100 Continue, 103 Early Hints) precede the real one.
            if (100..<200).contains(status) { return }
            s.status = status
            s.retryAfter = headers.first { $0.name == "retry-after" }.map { String($0.value.prefix(HTTPMessageHead.maxValueLength)) }
            streams[block.stream] = s
            // A gRPC call's outcome is its status: here only in a Trailers-Only response.
            guard !s.grpc || block.endStream || grpc?.status != nil else { return }
        }
        answer(block.stream, s, at: time, grpc: grpc, reset: nil)
    }

    /// END_STREAM from `side`.
    private mutating func ended(_ id: UInt32, side: Side, at time: Int64) {
        guard var s = streams[id] else { return }
        if side == .client {
            s.clientEnded = true
            streams[id] = s.answered ? nil : s
        } else if s.status == nil {
            reset(id, "the server ended the stream without response headers", at: time)
        } else if !s.answered {
            // A gRPC response that ends without trailers: no status.
            answer(id, s, at: time, grpc: nil, reset: nil)
        }
    }

    private mutating func reset(_ id: UInt32, _ why: String, at time: Int64) {
        guard let s = streams[id] else { return }
        if !s.answered { answer(id, s, at: time, grpc: nil, reset: why) }
        streams[id] = nil
    }

    private mutating func answer(_ id: UInt32, _ stream: H2Stream, at time: Int64, grpc: GRPCCall?, reset: String?) {
        var s = stream
        s.answered = true
        streams[id] = s.clientEnded ? nil : s
        outbox.append((.httpResponse(HTTPResponseEvent(
            exchange: s.exchange, connection: label.connection, from: label.client, to: label.server, status: s.status ?? 0,
            retryAfter: s.retryAfter, latency: TimeSpan(nanoseconds: max(0, time - s.start)), via: HTTPConversation.via,
            stream: Int(id), grpcStatus: grpc?.status, grpcMessage: grpc?.message, grpcRetryPushback: grpc?.retryPushback,
            reset: reset)), time))
    }

    private static func u32(_ b: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(b[offset]) << 24 | UInt32(b[offset + 1]) << 16 | UInt32(b[offset + 2]) << 8 | UInt32(b[offset + 3])
    }
}
