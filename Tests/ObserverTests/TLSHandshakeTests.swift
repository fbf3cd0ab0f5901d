@testable import Observer
import RunHistory
import Testing

/// The TLS handshake as the observer reads it from the records: the hellos in the clear, then by
/// record types and sizes whether it completed or ended in an alert.
@Suite struct TLSHandshakeTests {
    typealias T = TLSBytes
    typealias Side = TLSHandshakeWatcher.Side

    /// Feeds `flights` in order, each from its side; the steps read.
    static func steps(_ flights: [(Side, [UInt8])], split: Int? = nil) -> (steps: [TLSStep], watcher: TLSHandshakeWatcher) {
        var watcher = TLSHandshakeWatcher()
        var steps: [TLSStep] = []
        for (side, bytes) in flights {
            // A segment boundary anywhere: the records are reassembled across feeds.
            let size = split ?? max(bytes.count, 1)
            for start in stride(from: 0, to: bytes.count, by: size) {
                Array(bytes[start..<min(start + size, bytes.count)]).withUnsafeBytes { watcher.feed($0, from: side) { steps.append($0) } }
            }
        }
        return (steps, watcher)
    }

    static let tls13: [(Side, [UInt8])] = [
        (.client, T.clientHello()),
        (.server, T.serverHello(version: 0x0304) + T.changeCipherSpec + T.serverFlight13),
        (.client, T.changeCipherSpec + T.clientFinished13),
        (.client, T.record(.applicationData, [UInt8](repeating: 1, count: 300))),
    ]

    static let tls12: [(Side, [UInt8])] = [
        (.client, T.clientHello(alpn: ["h2"], versions: nil)),
        (.server, T.serverHello(version: 0x0303, alpn: "h2") + T.serverFlight12),
        (.client, T.record(.handshake, T.handshake(16, [UInt8](repeating: 5, count: 66))) + T.changeCipherSpec + T.finished12),
        (.server, T.changeCipherSpec + T.finished12),
    ]

    @Test(arguments: [nil, 1, 7])
    func aTLS13HandshakeReadsItsHellosAndCompletes(split: Int?) {
        let (steps, watcher) = Self.steps(Self.tls13, split: split)
        #expect(steps.map(\.step) == [.clientHello, .serverHello, .completed])
        #expect(steps[0].serverName == "api" && steps[0].alpn == ["h2", "http/1.1"], "\(steps[0])")
        #expect(steps[0].versions == ["TLS 1.3", "TLS 1.2"], "GREASE is offered, never listed")
        #expect(steps[1].version == "TLS 1.3" && steps[2].version == "TLS 1.3")
        #expect(watcher.done && watcher.lostReason == nil)
        #expect(steps[0].description == "client-hello api TLS 1.3,TLS 1.2 alpn h2,http/1.1")
    }

    @Test(arguments: [nil, 3])
    func aTLS12HandshakeCompletesWhenBothSidesFinished(split: Int?) {
        let (steps, _) = Self.steps(Self.tls12, split: split)
        #expect(steps.map(\.step) == [.clientHello, .serverHello, .completed])
        #expect(steps[0].versions == ["TLS 1.2"], "no supported_versions: the legacy version")
        #expect(steps[2].version == "TLS 1.2" && steps[2].alpn == ["h2"], "TLS 1.2 names the ALPN protocol in the clear")
        #expect(Self.steps(Array(Self.tls12.prefix(3))).steps.map(\.step) == [.clientHello, .serverHello], "one side finished is not completed")
    }

    /// TLS 1.2: the client refuses the certificate before its ChangeCipherSpec: the alert is in the clear.
    @Test func aPlaintextAlertNamesItsCodeAndSender() {
        let (steps, watcher) = Self.steps([
            (.client, T.clientHello(versions: nil)),
            (.server, T.serverHello(version: 0x0303) + T.serverFlight12),
            (.client, T.alert(48)),
        ])
        #expect(steps.last == TLSStep(step: .alert, sender: "client", alert: "unknown_ca (48)"))
        #expect(steps.last?.description == "alert unknown_ca (48) from the client")
        #expect(watcher.done)
        let server = Self.steps([(.client, T.clientHello()), (.server, T.alert(40))]).steps
        #expect(server.last == TLSStep(step: .alert, sender: "server", alert: "handshake_failure (40)"), "a server refusing the hello")
    }

    /// TLS 1.3: a client that does not accept the server's certificate answers its flight with an
    /// encrypted alert, told from a Finished by its size.
    @Test func anAlertSizedRecordAfterTheServerFlightIsAnEncryptedAlert() {
        var flights = Array(Self.tls13.prefix(2))
        flights.append((.client, T.changeCipherSpec + T.encryptedAlert13))
        let (steps, _) = Self.steps(flights)
        #expect(steps.map(\.step) == [.clientHello, .serverHello, .alert])
        #expect(steps.last?.alert == "encrypted" && steps.last?.sender == "client")
    }

    /// An alert after a side's TLS 1.2 ChangeCipherSpec is encrypted: its byte is not a code.
    @Test func anAlertAfterChangeCipherSpecIsEncrypted() {
        var flights = Array(Self.tls12.prefix(2))
        flights.append((.client, T.changeCipherSpec + T.record(.alert, [UInt8](repeating: 0x55, count: 26))))
        #expect(Self.steps(flights).steps.last == TLSStep(step: .alert, sender: "client", alert: "encrypted"))
    }

    /// A HelloRetryRequest is not the ServerHello; the client's second hello and the TLS 1.3
    /// compatibility ChangeCipherSpec after it are not a TLS 1.2 Finished.
    @Test func aHelloRetryRequestIsFollowedToTheRealServerHello() {
        let (steps, _) = Self.steps([
            (.client, T.clientHello()),
            (.server, T.serverHello(version: 0x0304, retry: true)),
            (.client, T.changeCipherSpec + T.clientHello()),
            (.server, T.serverHello(version: 0x0304) + T.serverFlight13),
            (.client, T.clientFinished13),
        ])
        #expect(steps.map(\.step) == [.clientHello, .serverHello, .completed])
    }

    @Test func bytesThatAreNotTLSRecordsStopTheWatcherWithAReason() {
        let (steps, watcher) = Self.steps([(.client, T.clientHello()), (.server, Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8))])
        #expect(steps.map(\.step) == [.clientHello])
        #expect(watcher.lostReason == "the server sent bytes that are not TLS records during the handshake")
    }

    @Test func aCaptureGapStopsTheWatcher() {
        var watcher = TLSHandshakeWatcher()
        watcher.lost(from: .server)
        #expect(watcher.lostReason == "capture gap in the TLS handshake (from the server)")
        var done = TLSHandshakeWatcher()
        for (side, bytes) in Self.tls13 { bytes.withUnsafeBytes { done.feed($0, from: side) { _ in } } }
        done.lost(from: .client)
        #expect(done.lostReason == nil, "after the handshake nothing is read, so nothing is lost")
    }

    /// A certificate chain larger than the buffer is not followed: the watcher says so, holding no more.
    @Test func anOversizedHandshakeMessageIsNotBuffered() {
        let huge = T.handshake(11, [UInt8](repeating: 0, count: 200_000))
        var server = T.serverHello(version: 0x0303)
        var offset = 0
        while offset < huge.count {
            let end = min(offset + 16_384, huge.count)
            server += T.record(.handshake, Array(huge[offset..<end]))
            offset = end
        }
        let (_, watcher) = Self.steps([(.client, T.clientHello(versions: nil)), (.server, server)])
        #expect(watcher.lostReason?.contains("larger than 65536 bytes") == true, "\(watcher.lostReason ?? "")")
    }
}

@Suite struct TLSRecordTests {
    @Test func recordsAreCutAtTheirLengthAcrossFeeds() {
        var reader = TLSRecordReader()
        var records: [TLSRecordReader.Record] = []
        let bytes = TLSBytes.alert(42) + TLSBytes.record(.applicationData, [1, 2, 3])
        for b in bytes { [b].withUnsafeBytes { reader.feed($0) { records.append($0) } } }
        #expect(records == [.init(type: .alert, fragment: [2, 42]), .init(type: .applicationData, fragment: [1, 2, 3])])
        #expect(reader.pendingBytes == 0 && !reader.desynchronized)
    }

    @Test(arguments: [
        ("unknown content type", [UInt8]([99, 3, 3, 0, 1, 0])),
        ("not version 3.x", [22, 2, 0, 0, 1, 0]),
        ("longer than TLS allows", [23, 3, 3, 0x48, 0x01]),
    ])
    func aHeaderThatIsNotTLSDesynchronizes(_ what: String, bytes: [UInt8]) {
        var reader = TLSRecordReader()
        var count = 0
        bytes.withUnsafeBytes { reader.feed($0) { _ in count += 1 } }
        #expect(reader.desynchronized && count == 0 && reader.pendingBytes == 0, "\(what)")
    }

    @Test func helloParsersRefuseTruncatedBodies() {
        let hello = TLSBytes.clientHello()
        let body = hello[9...]
        #expect(TLSHello.client(body)?.serverName == "api")
        for cut in stride(from: 0, to: body.count - 1, by: 5) {
            #expect(TLSHello.client(body.prefix(cut)) == nil, "cut at \(cut)")
        }
        #expect(TLSVersion.isGrease(0x3A3A) && !TLSVersion.isGrease(0x3A4A) && !TLSVersion.isGrease(0x0304))
    }
}

/// Through the tracker, as packets: the handshake's steps become `tls` connection events.
@Suite struct TLSTrackingTests {
    typealias B = PacketBuilder

    @Test func aTLSConnectionsHandshakeBecomesConnectionEvents() {
        let h = AnalyzerHarness()
        ConnectionTrackerTests().handshake(h)
        var client: UInt32 = 0
        var server: UInt32 = 0
        for (side, bytes) in TLSHandshakeTests.tls13 {
            if side == .client {
                h.feed(B.tcp(40000, seq: ConnectionTrackerTests.clientISN + 1 + client, ack: ConnectionTrackerTests.serverISN + 1, [.psh, .ack], bytes), at: 10)
                client += UInt32(bytes.count)
            } else {
                h.feed(B.tcp(from: B.server, 80, to: B.client, 40000, seq: ConnectionTrackerTests.serverISN + 1 + server, ack: 0, [.psh, .ack], bytes), at: 20)
                server += UInt32(bytes.count)
            }
        }
        let tls = h.connections.filter { $0.phase == .tls }
        #expect(tls.compactMap(\.tls?.step) == [.clientHello, .serverHello, .completed])
        #expect(h.connections.contains { $0.phase == .identified && $0.application == .tls })
        #expect(!h.connections.contains { $0.undecoded != nil })
        #expect(h.requests.isEmpty, "nothing inside TLS is read as HTTP")
        #expect(h.analyzer.unparsedBytes == TLSHandshakeTests.tls13.last!.1.count, "what follows the handshake is carried, not read")
    }
}
