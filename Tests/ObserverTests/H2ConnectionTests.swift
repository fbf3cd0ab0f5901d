import NIOCore
import NIOHPACK
import FaultlineCore
@testable import Observer
import RunHistory
import Testing

/// HTTP/2 cleartext read off hand-built bytes: each stream one request and one answer.
@Suite struct H2ConnectionTests {
    typealias F = H2Frame.Kind

    /// Preface and both SETTINGS exchanged.
    static func opened() -> (H2Harness, H2Bytes) {
        var h = H2Harness()
        h.client(H2Bytes.preface + H2Bytes.settings(), at: 1)
        h.server(H2Bytes.settings() + H2Bytes.settingsAck, at: 2)
        h.client(H2Bytes.settingsAck, at: 3)
        return (h, H2Bytes())
    }

    @Test func aPlainStreamIsOneRequestAndOneAnswer() {
        var (h, b) = Self.opened()
        h.client(b.headers(H2Bytes.request("/v1/kv/a"), client: true, stream: 1, end: true), at: 10)
        h.server(b.headers([(":status", "503"), ("retry-after", "2")], client: false, stream: 1) + H2Bytes.data(stream: 1, [1, 2], end: true), at: 25)
        #expect(h.requests.map(\.path) == ["/v1/kv/a"])
        #expect(h.requests.first?.method == "GET" && h.requests.first?.stream == 1 && h.requests.first?.headers["host"] == "api:8080")
        let r = h.responses
        #expect(r.count == 1 && r[0].status == 503 && r[0].retryAfter == "2" && r[0].latency == TimeSpan(nanoseconds: 15))
        #expect(r[0].exchange == h.requests[0].exchange && r[0].grpcStatus == nil && r[0].reset == nil)
        #expect(h.undecoded.isEmpty)
    }

    @Test func aGRPCCallIsAnsweredByItsTrailers() {
        var (h, b) = Self.opened()
        h.client(b.headers(H2Bytes.request("/kv.KV/Get", grpc: true), client: true, stream: 1) + H2Bytes.data(stream: 1, [0, 0, 0, 0, 0], end: true), at: 10)
        h.server(b.headers([(":status", "200"), ("content-type", "application/grpc")], client: false, stream: 1), at: 20)
        #expect(h.responses.isEmpty, "the status comes in the trailers")
        h.server(H2Bytes.data(stream: 1, [0, 0, 0, 0, 0]) + b.headers(
            [("grpc-status", "14"), ("grpc-message", "backend%20down"), ("grpc-retry-pushback-ms", "250")], client: false, stream: 1, end: true), at: 40)
        let r = h.responses
        #expect(h.requests.first?.grpc == true)
        #expect(r.count == 1 && r[0].status == 200 && r[0].grpcStatus == 14 && r[0].grpcMessage == "backend down")
        #expect(r[0].grpcRetryPushback == "250" && r[0].latency == TimeSpan(nanoseconds: 30) && h.events.last?.t == 40)
    }

    @Test func aTrailersOnlyResponseCarriesTheStatusInItsOnlyHeaders() {
        var (h, b) = Self.opened()
        h.client(b.headers(H2Bytes.request("/kv.KV/Get", grpc: true), client: true, stream: 1, end: true), at: 10)
        h.server(b.headers([(":status", "200"), ("content-type", "application/grpc"), ("grpc-status", "8")], client: false, stream: 1, end: true), at: 12)
        #expect(h.responses.map(\.grpcStatus) == [8])
    }

    @Test func interleavedStreamsAreAnsweredEachByItsOwn() {
        var (h, b) = Self.opened()
        for id in [1, 3, 5] as [UInt32] { h.client(b.headers(H2Bytes.request("/s\(id)", grpc: true), client: true, stream: id, end: true), at: Int64(10 + id)) }
        for id in [5, 1, 3] as [UInt32] { h.server(b.headers([(":status", "200")], client: false, stream: id), at: 30) }
        for (id, status) in [(3, "0"), (5, "14"), (1, "4")] as [(UInt32, String)] {
            h.server(b.headers([("grpc-status", status)], client: false, stream: id, end: true), at: 40 + Int64(id))
        }
        let byStream = Dictionary(uniqueKeysWithValues: h.responses.map { ($0.stream!, $0.grpcStatus!) })
        #expect(byStream == [1: 4, 3: 0, 5: 14])
        let paths = Dictionary(uniqueKeysWithValues: h.requests.map { ($0.exchange, $0.path) })
        #expect(h.responses.allSatisfy { paths[$0.exchange] == "/s\($0.stream!)" })
    }

    @Test func aHeaderBlockSplitOverContinuationFramesIsDecodedWhole() {
        var (h, b) = Self.opened()
        let block = b.block(H2Bytes.request("/long/" + String(repeating: "x", count: 100)), client: true)
        let parts = [Array(block[..<10]), Array(block[10..<40]), Array(block[40...])]
        h.client(H2Bytes.frame(F.headers, flags: H2Frame.Flag.endStream, stream: 1, parts[0])
                 + H2Bytes.frame(F.continuation, stream: 1, parts[1]), at: 10)
        #expect(h.requests.isEmpty)
        h.client(H2Bytes.frame(F.continuation, flags: H2Frame.Flag.endHeaders, stream: 1, parts[2]), at: 11)
        #expect(h.requests.map(\.path) == ["/long/" + String(repeating: "x", count: 100)])
        #expect(h.events.first { if case .httpRequest = $0.kind { true } else { false } }?.t == 10)
    }

    @Test func aFrameBetweenHeadersAndContinuationStopsTheConnection() {
        var (h, b) = Self.opened()
        let block = b.block(H2Bytes.request("/a"), client: true)
        h.client(H2Bytes.frame(F.headers, stream: 1, Array(block[..<3])) + H2Bytes.data(stream: 1, [1]), at: 10)
        #expect(h.undecoded.count == 1 && h.undecoded[0].contains("cut by another frame"))
    }

    @Test func paddingAndPriorityFieldsAreTakenOff() {
        var (h, b) = Self.opened()
        let block = b.block(H2Bytes.request("/padded"), client: true)
        let payload = [4] + [0x80, 0, 0, 3, 15] + block + [0, 0, 0, 0]
        h.client(H2Bytes.frame(F.headers, flags: H2Frame.Flag.endHeaders | H2Frame.Flag.padded | H2Frame.Flag.priority | H2Frame.Flag.endStream,
                               stream: 1, payload), at: 10)
        h.server(H2Bytes.frame(F.headers, flags: H2Frame.Flag.endHeaders | H2Frame.Flag.padded, stream: 1,
                               [2] + b.block([(":status", "204")], client: false) + [0, 0]), at: 11)
        #expect(h.requests.map(\.path) == ["/padded"] && h.responses.map(\.status) == [204])
    }

    @Test func paddingLongerThanTheFrameStopsTheConnection() {
        var h = Self.opened().0
        h.client(H2Bytes.frame(F.headers, flags: H2Frame.Flag.endHeaders | H2Frame.Flag.padded, stream: 1, [200, 0x82]), at: 10)
        #expect(h.undecoded.first?.contains("malformed HEADERS") == true)
    }

    @Test func resetAndGoawayBeforeTheAnswerAreResets() {
        var (h, b) = Self.opened()
        for id in [1, 3, 5] as [UInt32] { h.client(b.headers(H2Bytes.request("/s\(id)"), client: true, stream: id, end: true), at: 10) }
        h.server(H2Bytes.rst(stream: 1, code: 7), at: 20)
        h.server(b.headers([(":status", "200")], client: false, stream: 3) + H2Bytes.goaway(last: 3, code: 0), at: 30)
        let resets = Dictionary(uniqueKeysWithValues: h.responses.map { ($0.stream!, $0.reset ?? "answered \($0.status)") })
        #expect(resets == [1: "RST_STREAM REFUSED_STREAM (server)", 3: "answered 200", 5: "GOAWAY NO_ERROR"])
    }

    @Test func aGRPCCallCutOffBeforeItsStatusIsAReset() {
        var (h, b) = Self.opened()
        h.client(b.headers(H2Bytes.request("/a.B/C", grpc: true), client: true, stream: 1, end: true), at: 10)
        h.server(b.headers([(":status", "200")], client: false, stream: 1), at: 20)
        h.client(H2Bytes.rst(stream: 1, code: 8), at: 50)
        #expect(h.responses.map(\.reset) == ["RST_STREAM CANCEL (client)"] && h.responses.first?.status == 200)
    }

    /// The client allows the server's encoder a bigger table; the server uses it once it acked.
    @Test func aLargerHeaderTableAnnouncedInSettingsIsFollowed() {
        var h = H2Harness()
        var b = H2Bytes()
        h.client(H2Bytes.preface + H2Bytes.settings([(0x1, 65536)]), at: 1)
        h.server(H2Bytes.settings() + H2Bytes.settingsAck, at: 2)
        try! b.serverEncoder.setDynamicTableSize(65536)
        h.client(b.headers(H2Bytes.request("/a"), client: true, stream: 1, end: true), at: 3)
        let big = String(repeating: "v", count: 6000)
        h.server(b.headers([(":status", "200"), ("x-big", big)], client: false, stream: 1), at: 4)
        h.client(b.headers(H2Bytes.request("/b"), client: true, stream: 3, end: true), at: 5)
        h.server(b.headers([(":status", "201"), ("x-big", big)], client: false, stream: 3), at: 6)
        #expect(h.undecoded.isEmpty, "\(h.undecoded)")
        #expect(h.responses.map(\.status) == [200, 201])
    }

    @Test func aSizeUpdateBeyondTheAnnouncedTableStopsTheConnection() {
        var (h, b) = Self.opened()
        try! b.serverEncoder.setDynamicTableSize(65536)
        h.client(b.headers(H2Bytes.request("/a"), client: true, stream: 1, end: true), at: 3)
        h.server(b.headers([(":status", "200")], client: false, stream: 1), at: 4)
        #expect(h.undecoded.first?.contains("HPACK") == true)
    }

    /// A gap loses frame boundaries and the header tables: the rest of the connection is unread.
    @Test func aCaptureGapMakesTheRestUndecoded() {
        var (h, b) = Self.opened()
        h.client(b.headers(H2Bytes.request("/a"), client: true, stream: 1, end: true), at: 10)
        var out: [(EventKind, Int64)] = []
        h.connection.lost(from: .server) { out.append(($0, $1)) }
        h.server(b.headers([(":status", "200")], client: false, stream: 1), at: 20)
        #expect(h.responses.isEmpty)
        guard case .connection(let c)? = out.first?.0 else { Issue.record("no protocol event"); return }
        #expect(c.phase == .identified && c.application == .http2 && c.undecoded?.contains("capture gap") == true && c.sourcePort == 40000)
        #expect(h.connection.unreadBytes > 0)
    }

    @Test func uncapturedBytesInsideADataFrameAreHarmless() {
        var (h, b) = Self.opened()
        h.client(b.headers(H2Bytes.request("/a"), client: true, stream: 1, end: true), at: 10)
        let data = H2Bytes.data(stream: 1, [UInt8](repeating: 7, count: 100), end: true)
        h.server(b.headers([(":status", "200")], client: false, stream: 1) + Array(data[..<20]), at: 20)
        var out: [(EventKind, Int64)] = []
        h.connection.skip(89, from: .server) { out.append(($0, $1)) }
        h.server(b.headers([(":status", "200")], client: false, stream: 3), at: 30)
        #expect(out.isEmpty && h.undecoded.isEmpty)
    }

    @Test func aServerAnsweringInHTTP1IsUndecodedWithTheReason() {
        var h = H2Harness()
        h.client(H2Bytes.preface + H2Bytes.settings(), at: 1)
        h.server(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8), at: 2)
        #expect(h.undecoded == ["the server did not answer in HTTP/2 (its first bytes are not a SETTINGS frame)"])
    }

    /// `Upgrade: h2c`: the 101, then the request's answer on stream 1, in HTTP/2.
    @Test func anUpgradedRequestIsAnsweredOnStreamOne() {
        var conversation = HTTPConversation()
        let label = ConnectionLabel(connection: 3, client: "client", server: "api", port: 8080, sourcePort: 40000)
        let ids = ExchangeCounter()
        var events: [EventKind] = []
        var b = H2Bytes()
        let emit = { (k: EventKind, _: Int64) in events.append(k) }
        Array("GET /up HTTP/1.1\r\nHost: api\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n".utf8)
            .withUnsafeBytes { conversation.client($0, at: 10, label: label, ids: ids, emit: emit) }
        (Array("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n".utf8) + H2Bytes.settings())
            .withUnsafeBytes { conversation.server($0, at: 20, label: label, ids: ids, emit: emit) }
        (H2Bytes.preface + H2Bytes.settings() + H2Bytes.settingsAck).withUnsafeBytes { conversation.client($0, at: 21, label: label, ids: ids, emit: emit) }
        (H2Bytes.settingsAck + b.headers([(":status", "200")], client: false, stream: 1) + H2Bytes.data(stream: 1, [1], end: true))
            .withUnsafeBytes { conversation.server($0, at: 30, label: label, ids: ids, emit: emit) }
        let responses = events.compactMap { if case .httpResponse(let r) = $0 { r } else { nil } }
        #expect(responses.map(\.status) == [101, 200])
        #expect(responses.map(\.exchange) == [1, 1] && responses.last?.stream == 1 && responses.last?.latency == TimeSpan(nanoseconds: 20))
        #expect(!events.contains { if case .connection = $0 { true } else { false } })
    }

    /// The `HTTP2-Settings` of the upgrade request are the client's first SETTINGS, acknowledged by
    /// the 101: a larger header table there lets the server's encoder grow its table at once, and
    /// the observer follows it; without the header the same bytes cannot be decoded.
    @Test(arguments: [true, false])
    func theUpgradeRequestsSettingsBoundTheServersEncoder(announced: Bool) {
        var conversation = HTTPConversation()
        let label = ConnectionLabel(connection: 3, client: "client", server: "api", port: 8080, sourcePort: 40000)
        let ids = ExchangeCounter()
        var events: [EventKind] = []
        let emit = { (k: EventKind, _: Int64) in events.append(k) }
        // SETTINGS_HEADER_TABLE_SIZE = 65536, base64url: 00 01 00 01 00 00.
        #expect(H2Settings.fromUpgradeHeader("AAEAAQAA").flatMap(H2Settings.headerTableSize) == 65536)
        let settings = announced ? "HTTP2-Settings: AAEAAQAA\r\n" : ""
        Array("GET /up HTTP/1.1\r\nHost: api\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\(settings)\r\n".utf8)
            .withUnsafeBytes { conversation.client($0, at: 10, label: label, ids: ids, emit: emit) }
        var b = H2Bytes()
        // Its first block starts with a dynamic table size update to 65536.
        try? b.serverEncoder.setDynamicTableSize(65536)
        let block = b.headers([(":status", "200"), ("x-big", String(repeating: "v", count: 8000))], client: false, stream: 1, end: true)
        (Array("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n".utf8) + H2Bytes.settings() + block)
            .withUnsafeBytes { conversation.server($0, at: 20, label: label, ids: ids, emit: emit) }
        let responses = events.compactMap { if case .httpResponse(let r) = $0 { r } else { nil } }
        let undecoded = events.compactMap { if case .connection(let c) = $0 { c.undecoded } else { nil } }
        if announced {
            #expect(responses.map(\.status) == [101, 200] && undecoded.isEmpty, "\(undecoded)")
        } else {
            #expect(responses.map(\.status) == [101] && undecoded.count == 1, "\(responses.map(\.status))")
        }
    }

    @Test(arguments: ["AAEAAQAA", "AAEAAQAA==", "AAMAAABkAAQAoAAAAAIAAAAA"])
    func upgradeSettingsDecodeFromBase64URL(_ value: String) {
        #expect(H2Settings.fromUpgradeHeader(value)?.count.isMultiple(of: 6) == true)
        #expect(H2Settings.fromUpgradeHeader("AA*B") == nil && H2Settings.fromUpgradeHeader("AAEA") == nil)
    }

    @Test func aWebSocketAfter101IsUndecodedWithTheReason() {
        var conversation = HTTPConversation()
        let label = ConnectionLabel(connection: 3, client: "client", server: "api", port: 8080)
        var events: [EventKind] = []
        let emit = { (k: EventKind, _: Int64) in events.append(k) }
        Array("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n".utf8).withUnsafeBytes { conversation.client($0, at: 1, label: label, ids: ExchangeCounter(), emit: emit) }
        (Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".utf8) + [0x81, 0x05] + Array("hello".utf8) + [0x81, 0x02, 0x68, 0x69])
            .withUnsafeBytes { conversation.server($0, at: 2, label: label, ids: ExchangeCounter(), emit: emit) }
        let reasons = events.compactMap { if case .connection(let c) = $0 { c.undecoded } else { nil } }
        #expect(reasons == ["the connection switched protocols (HTTP 101) to something other than HTTP/2"])
    }
}

/// The frame parser alone: frames cut anywhere come out whole.
@Suite struct H2FrameParserTests {
    @Test(arguments: [1, 2, 5, 9, 10, 1000])
    func framesSplitAtAnyPointComeOutWhole(chunk: Int) {
        let bytes = H2FrameParser.preface + H2Bytes.settings([(1, 8192), (3, 100)]) + H2Bytes.data(stream: 1, [UInt8](repeating: 1, count: 30), end: true)
            + H2Bytes.rst(stream: 3, code: 8) + H2Bytes.settingsAck
        var parser = H2FrameParser(preface: true, notHTTP2: "no preface")
        var frames: [H2Frame] = []
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + chunk)
            bytes[i..<end].withUnsafeBytes { parser.feed($0) { frames.append($0) } }
            i = end
        }
        #expect(parser.failure == nil)
        #expect(frames.map(\.type) == [4, 0, 3, 4])
        #expect(frames[0].payload.count == 12 && frames[1].payload.isEmpty && frames[1].length == 30 && frames[1].has(H2Frame.Flag.endStream))
        #expect(frames[2].payload == [0, 0, 0, 8] && frames[2].stream == 3 && frames[3].has(H2Frame.Flag.ack))
    }

    @Test func aWrongPrefaceFails() {
        var parser = H2FrameParser(preface: true, notHTTP2: "no preface")
        Array("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n".utf8).withUnsafeBytes { parser.feed($0) { _ in } }
        #expect(parser.failure == "no preface")
    }

    @Test func anOversizedHeaderBlockFails() {
        var parser = H2FrameParser(preface: false, notHTTP2: "not HTTP/2")
        (H2Bytes.settings() + [0x20, 0, 0, 1, 4, 0, 0, 0, 1]).withUnsafeBytes { parser.feed($0) { _ in } }
        #expect(parser.failure?.contains("larger than") == true)
    }
}
