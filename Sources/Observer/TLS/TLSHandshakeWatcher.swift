import FaultlineCore
import RunHistory

/// Follows one TLS connection's handshake from both directions and says each step it can read:
/// the ClientHello, the ServerHello, an alert, completion. Pure; fed in order per direction.
///
/// What the wire shows, and how each outcome is told:
/// - TLS 1.2: each side sends ChangeCipherSpec and then its (encrypted) Finished as a handshake
///   record; once both have, the handshake completed. A plaintext alert before that names its code;
///   an alert after a side's ChangeCipherSpec is encrypted.
/// - TLS 1.3: after the ServerHello everything is encrypted and typed application data. The
///   client's first such record is its Finished (completed) or, if it is alert-sized
///   (2 bytes, the inner type and an AEAD tag: ≤ 24), an encrypted alert: the client refused the
///   server's flight, usually its certificate. A server's plaintext alert (to the ClientHello) names
///   its code.
/// - A connection reset or closed before completion is read by the checks from the connection's
///   own events.
struct TLSHandshakeWatcher {
    enum Side { case client, server }

    private struct Direction {
        var records = TLSRecordReader()
        /// Plaintext handshake bytes not yet a whole message.
        var handshake: [UInt8] = []
        /// TLS 1.2: ChangeCipherSpec sent; what follows from this side is encrypted.
        var changedCipher = false
        var finished = false
    }

    private var client = Direction()
    private var server = Direction()
    private var sawClientHello = false
    /// A HelloRetryRequest came: only TLS 1.3 has them, so its rules hold from here on.
    private var sawHelloRetry = false
    /// The ServerHello's chosen version and ALPN protocol (TLS 1.2 says it in the clear).
    private var chosen: (version: UInt16, alpn: [String])?
    /// The handshake completed or failed: nothing more to read.
    private(set) var done = false

    /// Handshake messages larger than this (a certificate chain of 64 KiB) are not followed.
    static let maxHandshakeBuffer = 65_536
    /// A TLS 1.3 record this small is an encrypted alert (2 + 1 + a 16-byte tag = 19), not a Finished
    /// (4 + at least 32 of MAC + 1 + 16 = 53).
    static let maxEncryptedAlert = 24

    /// The observer stopped following the records (not TLS after all, a capture gap): why.
    private(set) var lostReason: String?

    mutating func feed(_ bytes: UnsafeRawBufferPointer, from side: Side, step: (TLSStep) -> Void) {
        guard !done, lostReason == nil else { return }
        var records: [TLSRecordReader.Record] = []
        switch side {
        case .client: client.records.feed(bytes) { records.append($0) }
        case .server: server.records.feed(bytes) { records.append($0) }
        }
        for record in records where !done { handle(record, from: side, step: step) }
        if !done, (side == .client ? client.records : server.records).desynchronized {
            lostReason = "the \(side) sent bytes that are not TLS records during the handshake"
        }
    }

    /// Bytes of `side` went by uncaptured: the records cannot be followed any more.
    mutating func lost(from side: Side) {
        guard !done else { return }
        lostReason = "capture gap in the TLS handshake (from the \(side))"
    }

    private mutating func handle(_ record: TLSRecordReader.Record, from side: Side, step: (TLSStep) -> Void) {
        let tls13 = chosen?.version == TLSVersion.tls13 || sawHelloRetry
        switch record.type {
        case .changeCipherSpec:
            // In TLS 1.3 a ChangeCipherSpec is only for middleboxes.
            if !tls13 { modify(side) { $0.changedCipher = true } }
        case .alert:
            // TLS 1.3 hides alerts after the ServerHello as application data; a typed alert is in
            // the clear unless TLS 1.2 encryption started on that side.
            let encrypted = !tls13 && direction(side).changedCipher
            let alert = encrypted || record.fragment.count < 2 ? "encrypted" : TLSAlertDescription.text(record.fragment[1])
            done = true
            step(TLSStep(step: .alert, sender: "\(side)", alert: alert))
        case .handshake:
            if !tls13 && direction(side).changedCipher {
                modify(side) { $0.finished = true }
                if client.finished && server.finished { complete(step) }
                return
            }
            modify(side) { $0.handshake += record.fragment }
            readMessages(from: side, step: step)
        case .applicationData:
            guard side == .client, chosen != nil else { return }
            if tls13 {
                if record.fragment.count <= Self.maxEncryptedAlert {
                    done = true
                    step(TLSStep(step: .alert, sender: "client", alert: "encrypted"))
                } else {
                    complete(step)
                }
            } else if client.changedCipher && server.changedCipher {
                complete(step)
            }
        case .heartbeat: break
        }
    }

    private mutating func readMessages(from side: Side, step: (TLSStep) -> Void) {
        var buffer = direction(side).handshake
        defer { modify(side) { $0.handshake = buffer } }
        while buffer.count >= 4 {
            let length = Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
            guard buffer.count >= 4 + length else { break }
            let type = buffer[0]
            let body = buffer[4..<(4 + length)]
            if side == .client, type == 1, !sawClientHello, let hello = TLSHello.client(body) {
                sawClientHello = true
                step(TLSStep(
                    step: .clientHello, serverName: hello.serverName, alpn: hello.alpn.isEmpty ? nil : hello.alpn,
                    versions: hello.versions.map(TLSVersion.name)))
            } else if side == .server, type == 2, chosen == nil, let hello = TLSHello.server(body), hello.helloRetryRequest {
                sawHelloRetry = true
            } else if side == .server, type == 2, chosen == nil, let hello = TLSHello.server(body) {
                let version = hello.versions.first ?? 0x0303
                chosen = (version, hello.alpn)
                step(TLSStep(step: .serverHello, alpn: hello.alpn.isEmpty ? nil : hello.alpn, version: TLSVersion.name(version)))
            }
            buffer.removeFirst(4 + length)
        }
        if buffer.count > Self.maxHandshakeBuffer {
            buffer.removeAll()
            lostReason = "a TLS handshake message from the \(side) larger than \(Self.maxHandshakeBuffer) bytes"
        }
    }

    private mutating func complete(_ step: (TLSStep) -> Void) {
        done = true
        let alpn = chosen?.alpn ?? []
        step(TLSStep(step: .completed, alpn: alpn.isEmpty ? nil : alpn, version: chosen.map { TLSVersion.name($0.version) }))
    }

    private func direction(_ side: Side) -> Direction { side == .client ? client : server }

    private mutating func modify(_ side: Side, _ change: (inout Direction) -> Void) {
        switch side {
        case .client: change(&client)
        case .server: change(&server)
        }
    }
}
