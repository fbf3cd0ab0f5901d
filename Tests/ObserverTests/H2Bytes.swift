import NIOCore
import NIOHPACK
@testable import Observer
import RunHistory

/// Hand-built HTTP/2 bytes: frames, and header blocks from NIOHPACK's encoder (one per direction,
/// so the dynamic table is shared across a connection's blocks as on the wire).
struct H2Bytes {
    static let preface = H2FrameParser.preface
    var clientEncoder = HPACKEncoder(allocator: ByteBufferAllocator())
    var serverEncoder = HPACKEncoder(allocator: ByteBufferAllocator())

    static func frame(_ type: UInt8, flags: UInt8 = 0, stream: UInt32, _ payload: [UInt8] = []) -> [UInt8] {
        let n = payload.count
        return [UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF), type, flags,
                UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)] + payload
    }

    static func settings(_ entries: [(UInt16, UInt32)] = []) -> [UInt8] {
        frame(H2Frame.Kind.settings, stream: 0, entries.flatMap { id, v in
            [UInt8(id >> 8), UInt8(id & 0xFF), UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        })
    }

    static let settingsAck = frame(H2Frame.Kind.settings, flags: H2Frame.Flag.ack, stream: 0)

    static func rst(stream: UInt32, code: UInt32) -> [UInt8] {
        frame(H2Frame.Kind.rstStream, stream: stream, [UInt8(code >> 24), UInt8(code >> 16 & 0xFF), UInt8(code >> 8 & 0xFF), UInt8(code & 0xFF)])
    }

    static func goaway(last: UInt32, code: UInt32) -> [UInt8] {
        frame(H2Frame.Kind.goaway, stream: 0, [UInt8(last >> 24), UInt8(last >> 16 & 0xFF), UInt8(last >> 8 & 0xFF), UInt8(last & 0xFF),
                                               0, 0, 0, UInt8(code)])
    }

    static func data(stream: UInt32, _ bytes: [UInt8], end: Bool = false) -> [UInt8] {
        frame(H2Frame.Kind.data, flags: end ? H2Frame.Flag.endStream : 0, stream: stream, bytes)
    }

    /// One HPACK header block, encoded by the client's or the server's encoder.
    mutating func block(_ headers: [(String, String)], client: Bool) -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        if client {
            try! clientEncoder.encode(headers: HPACKHeaders(headers), to: &buffer)
        } else {
            try! serverEncoder.encode(headers: HPACKHeaders(headers), to: &buffer)
        }
        return buffer.readBytes(length: buffer.readableBytes)!
    }

    mutating func headers(_ h: [(String, String)], client: Bool, stream: UInt32, end: Bool = false) -> [UInt8] {
        Self.frame(H2Frame.Kind.headers, flags: H2Frame.Flag.endHeaders | (end ? H2Frame.Flag.endStream : 0), stream: stream,
                   block(h, client: client))
    }

    static func request(_ path: String, grpc: Bool = false) -> [(String, String)] {
        var h = [(":method", grpc ? "POST" : "GET"), (":scheme", "http"), (":authority", "api:8080"), (":path", path)]
        if grpc { h.append(("content-type", "application/grpc")) }
        return h
    }
}

/// An ``H2Connection`` fed by hand, with the events it emits.
struct H2Harness {
    var connection = H2Connection(
        label: ConnectionLabel(connection: 7, client: "client", server: "api", port: 8080, sourcePort: 40000), ids: ExchangeCounter())
    var events: [(kind: EventKind, t: Int64)] = []

    mutating func client(_ bytes: [UInt8], at t: Int64) { feed(bytes, .client, t) }
    mutating func server(_ bytes: [UInt8], at t: Int64) { feed(bytes, .server, t) }

    private mutating func feed(_ bytes: [UInt8], _ side: H2Connection.Side, _ t: Int64) {
        var out: [(EventKind, Int64)] = []
        bytes.withUnsafeBytes { connection.feed($0, from: side, at: t) { out.append(($0, $1)) } }
        events += out.map { (kind: $0.0, t: $0.1) }
    }

    mutating func finish() {
        var out: [(EventKind, Int64)] = []
        connection.finish { out.append(($0, $1)) }
        events += out.map { (kind: $0.0, t: $0.1) }
    }

    var requests: [HTTPRequestEvent] { events.compactMap { if case .httpRequest(let r) = $0.kind { r } else { nil } } }
    var responses: [HTTPResponseEvent] { events.compactMap { if case .httpResponse(let r) = $0.kind { r } else { nil } } }
    var undecoded: [String] {
        events.compactMap { if case .connection(let c) = $0.kind { c.undecoded } else { nil } }
    }
}
