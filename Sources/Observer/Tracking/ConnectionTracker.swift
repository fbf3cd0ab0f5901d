import RunHistory

/// Follows TCP connections through their segments and turns them into ``ConnectionEvent``s
/// (attempt, syn-retransmit, established, refused, reset, closed) and, through each connection's
/// ``HTTPConversation``, HTTP request and response events.
///
/// The table is bounded: connections idle longer than their timeout are dropped by
/// ``expire(now:)``, and when the table is full the least recently seen go first.
final class ConnectionTracker {
    struct Limits {
        var maxConnections = 65_536
        /// An established connection silent this long is forgotten (keep-alive pools idle long).
        var idleTimeout: Int64 = 600_000_000_000
        /// A handshake or a closing connection silent this long is forgotten.
        var transientTimeout: Int64 = 120_000_000_000
    }

    private var table: [FlowKey: TCPConnection] = [:]
    private let limits: Limits
    private let name: (UInt32) -> String
    private let emit: (EventKind, Int64) -> Void
    /// Reads DNS messages of connections to port 53.
    private let dns: DNSWireWatcher?
    private let exchanges = ExchangeCounter()
    private var lastConnection = 0
    /// Unparsed bytes of connections already gone.
    private var finishedUnparsed = 0
    /// Segments of connections the tracker never saw open (started before the capture, or
    /// forgotten): their payload bytes, which nothing parses.
    private(set) var untrackedBytes = 0

    init(
        limits: Limits = Limits(), dns: DNSWireWatcher? = nil, name: @escaping (UInt32) -> String,
        emit: @escaping (EventKind, Int64) -> Void
    ) {
        self.limits = limits
        self.dns = dns
        self.name = name
        self.emit = emit
    }

    var count: Int { table.count }

    /// Bytes no parser could read, live connections included.
    var unparsedBytes: Int { finishedUnparsed + untrackedBytes + table.values.reduce(0) { $0 + $1.conversation.unparsedBytes } }

    /// Takes one TCP segment captured at `time` (nanoseconds on any clock the caller keeps).
    /// `uncaptured` payload bytes followed `payload` on the wire but were not captured.
    func handle(ip: IPv4Header, tcp: TCPHeader, payload: UnsafeRawBufferPointer, uncaptured: Int = 0, at time: Int64) {
        let source = Endpoint(address: ip.source, port: tcp.sourcePort)
        let destination = Endpoint(address: ip.destination, port: tcp.destinationPort)
        let key = FlowKey(source, destination)
        let flags = tcp.flags
        if flags.contains(.syn) && !flags.contains(.ack) && !flags.contains(.rst) {
            return synchronize(key: key, client: source, server: destination, sequence: tcp.sequence, at: time)
        }
        guard let connection = table[key] else {
            untrackedBytes += payload.count
            return
        }
        connection.lastSeen = time
        let fromClient = source == connection.client
        if flags.contains(.rst) { return reset(key: key, connection, fromClient: fromClient, at: time) }
        if flags.contains(.syn) {
            // SYN-ACK: the server's stream starts after its initial sequence number.
            if !fromClient && connection.phase == .synSent {
                connection.phase = .synReceived
                connection.fromServer.start(initialSequence: tcp.sequence)
            }
            return
        }
        if fromClient && connection.phase == .synReceived && flags.contains(.ack) {
            connection.phase = .established
            report(connection, .established, at: time)
        }
        if payload.count + uncaptured > 0 && connection.phase == .established {
            deliver(payload, uncaptured: uncaptured, sequence: tcp.sequence, fromClient: fromClient, connection, at: time)
        }
        if flags.contains(.fin) { finish(key: key, connection, fromClient: fromClient, at: time) }
    }

    /// A client SYN: a new attempt, or the kernel retrying one still unanswered.
    private func synchronize(key: FlowKey, client: Endpoint, server: Endpoint, sequence: UInt32, at time: Int64) {
        if let existing = table[key], existing.client == client, existing.clientInitialSequence == sequence {
            existing.lastSeen = time
            if existing.phase != .established { report(existing, .synRetransmit, at: time) }
            return
        }
        if let old = table.removeValue(forKey: key) { retire(old) }
        if table.count >= limits.maxConnections { evictOldest() }
        lastConnection += 1
        let label = ConnectionLabel(
            connection: lastConnection, client: name(client.address), server: name(server.address), port: server.port, sourcePort: client.port)
        let connection = TCPConnection(label: label, client: client, server: server, initialSequence: sequence, at: time)
        table[key] = connection
        report(connection, .attempt, at: time)
    }

    /// An ICMP destination-unreachable quoting a segment the client sent: while the connection is
    /// still opening, the client's kernel gives up on it (connect fails with EHOSTUNREACH and the
    /// like), so the attempt ends `unreachable`. On an established connection such errors are soft
    /// (TCP keeps retransmitting) and change nothing here.
    func unreachable(_ icmp: ICMPUnreachable, at time: Int64) {
        let source = Endpoint(address: icmp.original.source, port: icmp.originalSourcePort)
        let key = FlowKey(source, Endpoint(address: icmp.original.destination, port: icmp.originalDestinationPort))
        guard let connection = table[key], source == connection.client, connection.phase != .established else { return }
        report(connection, .unreachable, at: time)
        table.removeValue(forKey: key)
        retire(connection)
    }

    private func reset(key: FlowKey, _ connection: TCPConnection, fromClient: Bool, at time: Int64) {
        let refused = connection.phase != .established && !fromClient
        if !connection.closedReported { report(connection, refused ? .refused : .reset, at: time, bytes: !refused) }
        table.removeValue(forKey: key)
        retire(connection)
    }

    private func finish(key: FlowKey, _ connection: TCPConnection, fromClient: Bool, at time: Int64) {
        if fromClient { connection.clientFinished = true } else { connection.serverFinished = true }
        if !connection.closedReported {
            connection.closedReported = true
            report(connection, .closed, at: time, bytes: true)
        }
        if connection.clientFinished && connection.serverFinished {
            table.removeValue(forKey: key)
            retire(connection)
        }
    }

    private func deliver(
        _ payload: UnsafeRawBufferPointer, uncaptured: Int, sequence: UInt32, fromClient: Bool, _ connection: TCPConnection,
        at time: Int64
    ) {
        if connection.carriesDNS, let dns {
            let (source, destination) = fromClient ? (connection.client, connection.server) : (connection.server, connection.client)
            let read = { (bytes: UnsafeRawBufferPointer) in
                dns.message(bytes, source: source, destination: destination, transport: "tcp", at: time)
            }
            if fromClient {
                connection.fromClient.accept(
                    sequence: sequence, payload: payload, uncaptured: uncaptured,
                    deliver: { connection.dnsFromClient.feed($0, message: read) },
                    skip: { connection.dnsFromClient.skip($0) }, lost: { connection.dnsFromClient.lost() })
            } else {
                connection.fromServer.accept(
                    sequence: sequence, payload: payload, uncaptured: uncaptured,
                    deliver: { connection.dnsFromServer.feed($0, message: read) },
                    skip: { connection.dnsFromServer.skip($0) }, lost: { connection.dnsFromServer.lost() })
            }
            return
        }
        let label = connection.label
        let ids = exchanges
        let emit = self.emit
        if fromClient {
            connection.fromClient.accept(
                sequence: sequence, payload: payload, uncaptured: uncaptured,
                deliver: { bytes in
                    if let application = connection.application.feed(bytes) {
                        self.identified(connection, application, at: time)
                        if application == .http2 { connection.conversation.beginHTTP2(label: label, ids: ids) }
                        if application == .tls { connection.conversation.tls = TLSConnection(label: label) }
                        // What the server said first, it said before these bytes.
                        self.releaseServerFirst(connection)
                    }
                    connection.conversation.client(bytes, at: time, label: label, ids: ids, emit: emit)
                },
                skip: { connection.conversation.skip($0, fromClient: true, emit: emit) },
                lost: { connection.conversation.lost(fromClient: true, emit: emit) })
        } else {
            connection.fromServer.accept(
                sequence: sequence, payload: payload, uncaptured: uncaptured,
                deliver: { bytes in
                    if connection.application.decided == nil,
                       connection.serverFirstCount + bytes.count <= TCPConnection.maxServerFirst {
                        connection.serverFirst.append((Array(bytes), time))
                        connection.serverFirstCount += bytes.count
                        return
                    }
                    self.releaseServerFirst(connection)
                    connection.conversation.server(bytes, at: time, label: label, ids: ids, emit: emit)
                },
                skip: { connection.conversation.skip($0, fromClient: false, emit: emit) },
                lost: { connection.conversation.lost(fromClient: false, emit: emit) })
        }
    }

    /// Reads what the server sent before the protocol was known, in order.
    private func releaseServerFirst(_ c: TCPConnection) {
        guard !c.serverFirst.isEmpty else { return }
        let held = c.serverFirst
        c.serverFirst = []
        c.serverFirstCount = 0
        for (bytes, time) in held {
            bytes.withUnsafeBytes { c.conversation.server($0, at: time, label: c.label, ids: exchanges, emit: emit) }
        }
    }

    /// The connection's application protocol is known: one `protocol` event, so that checks tell
    /// calls they can judge from traffic they cannot read.
    private func identified(_ c: TCPConnection, _ application: ApplicationProtocol, at time: Int64) {
        let event = ConnectionEvent(
            connection: c.label.connection, from: c.label.client, to: c.label.server, sourcePort: c.client.port,
            port: c.server.port, phase: .identified, application: application)
        emit(.connection(event), time)
    }

    private func report(_ c: TCPConnection, _ phase: ConnectionPhase, at time: Int64, bytes: Bool = false) {
        // A client that sent fewer bytes than it takes to tell: decided on what there is.
        if phase == .closed || phase == .reset, let application = c.application.finish() { identified(c, application, at: time) }
        if phase == .closed || phase == .reset { releaseServerFirst(c) }
        if phase == .closed || phase == .reset { c.closedReported = true }
        let event = ConnectionEvent(
            connection: c.label.connection, from: c.label.client, to: c.label.server, sourcePort: c.client.port,
            port: c.server.port, phase: phase, bytesOut: bytes ? c.fromClient.delivered : nil,
            bytesIn: bytes ? c.fromServer.delivered : nil)
        emit(.connection(event), time)
    }

    /// A connection leaves the table: its parsers flush what they held.
    private func retire(_ connection: TCPConnection) {
        releaseServerFirst(connection)
        connection.conversation.finish(emit: emit)
        finishedUnparsed += connection.conversation.unparsedBytes
    }

    /// Forgets connections silent past their timeout.
    func expire(now: Int64) {
        let stale = table.filter { _, c in
            now - c.lastSeen > (c.phase == .established && !c.closedReported ? limits.idleTimeout : limits.transientTimeout)
        }
        for (key, connection) in stale {
            table.removeValue(forKey: key)
            retire(connection)
        }
    }

    /// Makes room when full: the eighth of the table seen least recently goes.
    private func evictOldest() {
        let victims = table.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(max(1, limits.maxConnections / 8))
        for (key, connection) in victims {
            table.removeValue(forKey: key)
            retire(connection)
        }
    }

    /// The capture ended: every connection's parsers flush.
    func finishAll() {
        for connection in table.values { retire(connection) }
        table.removeAll()
    }
}
