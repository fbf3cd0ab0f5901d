import RunHistory

/// A TCP connection that carries TLS: its handshake steps become `tls` connection events, and if
/// the observer loses the records before the handshake ends, a `protocol` event says why (the
/// checks then count the connection unknown). Nothing after the handshake is read.
struct TLSConnection {
    private var watcher = TLSHandshakeWatcher()
    private let label: ConnectionLabel
    private var reportedLoss = false
    /// When bytes last arrived: a capture gap is stamped then.
    private var lastTime: Int64 = 0

    init(label: ConnectionLabel) { self.label = label }

    /// Bytes after the handshake (or after the records were lost): carried, not read.
    private(set) var unreadBytes = 0

    mutating func feed(
        _ bytes: UnsafeRawBufferPointer, from side: TLSHandshakeWatcher.Side, at time: Int64, emit: (EventKind, Int64) -> Void
    ) {
        let label = self.label
        lastTime = time
        if watcher.done || watcher.lostReason != nil { return unreadBytes += bytes.count }
        watcher.feed(bytes, from: side) { step in
            emit(.connection(ConnectionEvent(
                connection: label.connection, from: label.client, to: label.server, sourcePort: label.sourcePort,
                port: label.port, phase: .tls, tls: step)), time)
        }
        reportLoss(emit)
    }

    mutating func lost(from side: TLSHandshakeWatcher.Side, emit: (EventKind, Int64) -> Void) {
        watcher.lost(from: side)
        reportLoss(emit)
    }

    private mutating func reportLoss(_ emit: (EventKind, Int64) -> Void) {
        guard !reportedLoss, let why = watcher.lostReason else { return }
        reportedLoss = true
        emit(.connection(ConnectionEvent(
            connection: label.connection, from: label.client, to: label.server, sourcePort: label.sourcePort,
            port: label.port, phase: .identified, application: .tls, undecoded: why)), lastTime)
    }

}
