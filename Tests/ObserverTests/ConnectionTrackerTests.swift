import FaultlineCore
@testable import Observer
import RunHistory
import ScenarioFormat
import Testing

@Suite struct ConnectionTrackerTests {
    typealias B = PacketBuilder
    static let clientISN: UInt32 = 1000
    static let serverISN: UInt32 = 5000

    /// SYN, SYN-ACK, ACK from `sport`.
    func handshake(_ h: AnalyzerHarness, sport: UInt16 = 40000, at t: Int64 = 0) {
        h.feed(B.tcp(sport, seq: Self.clientISN, .syn), at: t)
        h.feed(B.tcp(from: B.server, 80, to: B.client, sport, seq: Self.serverISN, ack: Self.clientISN + 1, [.syn, .ack]), at: t + 1)
        h.feed(B.tcp(sport, seq: Self.clientISN + 1, ack: Self.serverISN + 1, .ack), at: t + 2)
    }

    func clientData(_ h: AnalyzerHarness, _ text: String, offset: UInt32, sport: UInt16 = 40000, at t: Int64, flags: TCPHeader.Flags = [.psh, .ack]) {
        h.feed(B.tcp(sport, seq: Self.clientISN + 1 + offset, ack: Self.serverISN + 1, flags, text.bytes), at: t)
    }

    func serverData(_ h: AnalyzerHarness, _ text: String, offset: UInt32, sport: UInt16 = 40000, at t: Int64, flags: TCPHeader.Flags = [.psh, .ack]) {
        h.feed(B.tcp(from: B.server, 80, to: B.client, sport, seq: Self.serverISN + 1 + offset, ack: 0, flags, text.bytes), at: t)
    }

    @Test func aWholeExchangeGivesConnectionStepsAndAMatchedRequestAndResponse() {
        let h = AnalyzerHarness()
        handshake(h)
        let request = "GET /v1/items HTTP/1.1\r\nHost: api\r\n\r\n"
        let response = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: 4\r\n\r\nbusy"
        clientData(h, request, offset: 0, at: 100)
        serverData(h, response, offset: 0, at: 350)
        clientData(h, "", offset: UInt32(request.utf8.count), at: 400, flags: [.fin, .ack])
        serverData(h, "", offset: UInt32(response.utf8.count), at: 401, flags: [.fin, .ack])
        #expect(h.phases == [.attempt, .established, .identified, .closed])
        #expect(h.connections[2].application == .http1)
        let closed = h.connections.last
        #expect(closed?.bytesOut == request.utf8.count && closed?.bytesIn == response.utf8.count)
        #expect(closed?.from == "app" && closed?.to == "api" && closed?.port == 80 && closed?.sourcePort == 40000)
        #expect(h.requests.map(\.method) == ["GET"] && h.requests.map(\.path) == ["/v1/items"])
        #expect(h.requests.first?.headers == ["host": "api"])
        let answer = h.responses.first
        #expect(answer?.status == 503 && answer?.retryAfter == "2" && answer?.exchange == h.requests.first?.exchange)
        #expect(answer?.latency == TimeSpan(nanoseconds: 250))
        #expect(h.events.first { if case .httpRequest = $0.kind { true } else { false } }?.time == 100)
        #expect(h.analyzer.trackedConnections == 0)
    }

    @Test func keepAliveAndPipeliningPairAnswersInOrder() {
        let h = AnalyzerHarness()
        handshake(h)
        let two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"
        clientData(h, two, offset: 0, at: 10)
        let answers = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        serverData(h, answers, offset: 0, at: 20)
        clientData(h, "HEAD /c HTTP/1.1\r\n\r\n", offset: UInt32(two.utf8.count), at: 30)
        serverData(h, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1", offset: UInt32(answers.utf8.count), at: 40)
        #expect(h.requests.map(\.path) == ["/a", "/b", "/c"])
        #expect(h.responses.map(\.status) == [200, 404, 200])
        #expect(h.responses.map(\.exchange) == h.requests.map(\.exchange))
        #expect(Set(h.requests.map(\.connection)) == [1])
    }

    @Test func anUnansweredSYNRetriesAndARSTRefuses() {
        let h = AnalyzerHarness()
        h.feed(B.tcp(seq: 1, .syn), at: 0)
        h.feed(B.tcp(seq: 1, .syn), at: 1_000_000_000)
        h.feed(B.tcp(seq: 1, .syn), at: 3_000_000_000)
        h.feed(B.tcp(from: B.server, 80, to: B.client, 40000, seq: 0, ack: 2, [.rst, .ack]), at: 3_000_000_100)
        #expect(h.phases == [.attempt, .synRetransmit, .synRetransmit, .refused])
        #expect(h.analyzer.trackedConnections == 0)
    }

    @Test func aRSTAfterTheHandshakeIsAReset() {
        let h = AnalyzerHarness()
        handshake(h)
        clientData(h, "GET / HTTP/1.1\r\n\r\n", offset: 0, at: 5)
        serverData(h, "", offset: 0, at: 6, flags: [.rst])
        #expect(h.phases == [.attempt, .established, .identified, .reset])
        #expect(h.connections.last?.bytesOut == 18)
    }

    @Test func aNewSYNOnTheSamePortsIsANewConnection() {
        let h = AnalyzerHarness()
        h.feed(B.tcp(seq: 1, .syn), at: 0)
        h.feed(B.tcp(seq: 999, .syn), at: 1)
        #expect(h.phases == [.attempt, .attempt])
        #expect(h.connections.map(\.connection) == [1, 2])
    }

    @Test func retransmittedAndOutOfOrderBytesAreParsedOnce() {
        let h = AnalyzerHarness()
        handshake(h)
        let request = "GET /order HTTP/1.1\r\n\r\n"
        let cut = 7
        let first = String(request.prefix(cut)), second = String(request.dropFirst(cut))
        clientData(h, second, offset: UInt32(cut), at: 10)
        clientData(h, first, offset: 0, at: 11)
        clientData(h, first, offset: 0, at: 12)
        #expect(h.requests.map(\.path) == ["/order"])
    }

    @Test func binaryOnPort80IsCountedNotParsed() {
        let h = AnalyzerHarness()
        handshake(h)
        h.feed(B.tcp(seq: Self.clientISN + 1, ack: Self.serverISN + 1, [.psh, .ack], [0x05, 0x01, 0x00, 0xFF, 0x00, 0x00]), at: 5)
        #expect(h.requests.isEmpty)
        #expect(h.analyzer.unparsedBytes == 6)
    }

    @Test func segmentsOfUnknownConnectionsAreCountedAndIgnored() {
        let h = AnalyzerHarness()
        h.feed(B.tcp(seq: 1, [.psh, .ack], "GET / HTTP/1.1\r\n\r\n".bytes))
        #expect(h.events.isEmpty)
        #expect(h.analyzer.unparsedBytes == 18)
    }

    @Test func idleConnectionsAreForgotten() {
        let h = AnalyzerHarness()
        handshake(h)
        h.feed(B.tcp(40001, seq: 1, .syn), at: 0)
        h.analyzer.expireIdle(now: 200_000_000_000)
        #expect(h.analyzer.trackedConnections == 1)  // established: longer timeout
        h.analyzer.expireIdle(now: 700_000_000_000)
        #expect(h.analyzer.trackedConnections == 0)
    }

    @Test func aFullTableEvictsTheLeastRecentlySeen() {
        var events: [EventKind] = []
        let tracker = ConnectionTracker(limits: .init(maxConnections: 16), name: { "\($0)" }) { kind, _ in events.append(kind) }
        for port in 0..<100 {
            let ip = IPv4Header(source: 1, destination: 2, protocolNumber: 6, headerLength: 20, totalLength: 40, isFragment: false, isFirstFragment: true, ttl: 64)
            let tcp = TCPHeader(sourcePort: UInt16(port), destinationPort: 80, sequence: 0, acknowledgment: 0, flags: .syn, headerLength: 20)
            [UInt8]().withUnsafeBytes { tracker.handle(ip: ip, tcp: tcp, payload: $0, at: Int64(port)) }
            #expect(tracker.count <= 16)
        }
        #expect(events.count == 100)
    }
}

/// What a connection carries is told from the client's first bytes, in one `protocol` event.
@Suite struct ApplicationProtocolTrackingTests {
    typealias B = PacketBuilder

    @Test(arguments: [
        (Array("GET / HTTP/1.1\r\n\r\n".utf8), ApplicationProtocol.http1),
        (Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8), .http2),
        (ApplicationSnifferTests.clientHello, .tls),
    ])
    func theTrackerRecordsTheApplicationOnce(bytes: [UInt8], expected: ApplicationProtocol) {
        let h = AnalyzerHarness()
        ConnectionTrackerTests().handshake(h)
        h.feed(B.tcp(40000, seq: ConnectionTrackerTests.clientISN + 1, ack: ConnectionTrackerTests.serverISN + 1, [.psh, .ack], bytes), at: 10)
        h.feed(B.tcp(40000, seq: ConnectionTrackerTests.clientISN + 1 + UInt32(bytes.count), ack: ConnectionTrackerTests.serverISN + 1,
                     [.psh, .ack], bytes), at: 20)
        // A second preface is no HTTP/2 frame: the h2 decoder stops there, in an event of its own.
        let identifications = h.connections.filter { $0.phase == .identified && $0.undecoded == nil }
        #expect(h.phases.filter { $0 != .identified } == [.attempt, .established] && identifications.count == 1)
        #expect(identifications.last?.application == expected)
    }

    /// An HTTP/2 server may send its SETTINGS as soon as it accepts, before the client's preface
    /// (SwiftNIO and nghttp2 servers do): those bytes wait until the client's tell the protocol.
    @Test func serverSettingsSentBeforeTheClientsPrefaceAreReadAsHTTP2() {
        let h = AnalyzerHarness()
        let t = ConnectionTrackerTests()
        t.handshake(h)
        var b = H2Bytes()
        let serverFirst = H2Bytes.settings([(3, 100)])
        h.feed(B.tcp(from: B.server, 80, to: B.client, 40000, seq: ConnectionTrackerTests.serverISN + 1, ack: 0, [.psh, .ack],
                     serverFirst), at: 5)
        let client = H2Bytes.preface + H2Bytes.settings() + H2Bytes.settingsAck
            + b.headers(H2Bytes.request("/etcdserverpb.KV/Range", grpc: true), client: true, stream: 1)
            + H2Bytes.data(stream: 1, [0, 0, 0, 0, 0], end: true)
        h.feed(B.tcp(40000, seq: ConnectionTrackerTests.clientISN + 1, ack: ConnectionTrackerTests.serverISN + 1, [.psh, .ack], client),
               at: 10)
        let answer = H2Bytes.settingsAck + b.headers([(":status", "200"), ("content-type", "application/grpc"), ("grpc-status", "14")],
                                                     client: false, stream: 1, end: true)
        h.feed(B.tcp(from: B.server, 80, to: B.client, 40000, seq: ConnectionTrackerTests.serverISN + 1 + UInt32(serverFirst.count),
                     ack: 0, [.psh, .ack], answer), at: 20)
        #expect(h.connections.allSatisfy { $0.undecoded == nil }, "\(h.connections.compactMap(\.undecoded))")
        #expect(h.requests.map(\.path) == ["/etcdserverpb.KV/Range"])
        #expect(h.responses.map(\.grpcStatus) == [14])
    }
}
