/// One end of a TCP connection: an IPv4 address and port, in host byte order.
struct Endpoint: Hashable, Sendable {
    var address: UInt32
    var port: UInt16
}

/// The unordered pair of endpoints that names a connection whichever way a segment goes.
struct FlowKey: Hashable, Sendable {
    var low: Endpoint
    var high: Endpoint

    init(_ a: Endpoint, _ b: Endpoint) {
        if (a.address, a.port) <= (b.address, b.port) {
            low = a
            high = b
        } else {
            low = b
            high = a
        }
    }
}

/// What the tracker knows about one TCP connection, from its first SYN on.
final class TCPConnection {
    enum Phase {
        /// The client's SYN was seen.
        case synSent
        /// The server answered SYN-ACK; the client's ACK completes the handshake.
        case synReceived
        case established
    }

    let label: ConnectionLabel
    let client: Endpoint
    let server: Endpoint
    let clientInitialSequence: UInt32
    var phase = Phase.synSent
    var lastSeen: Int64
    var closedReported = false
    var clientFinished = false
    var serverFinished = false
    var fromClient = StreamReassembler()
    var fromServer = StreamReassembler()
    var conversation = HTTPConversation()
    /// What the client's first bytes say the connection carries.
    var application = ApplicationSniffer()
    /// What the server sent before the client's first bytes told the protocol (an HTTP/2 server
    /// may send its SETTINGS the moment it accepts), held to be read once the protocol is known.
    var serverFirst: [(bytes: [UInt8], time: Int64)] = []
    var serverFirstCount = 0
    /// The most held back; past it the server's bytes are read as they come.
    static let maxServerFirst = 64 * 1024
    /// DNS over TCP (server port 53) is framed by length, not parsed as HTTP.
    let carriesDNS: Bool
    var dnsFromClient = DNSStreamFramer()
    var dnsFromServer = DNSStreamFramer()

    init(label: ConnectionLabel, client: Endpoint, server: Endpoint, initialSequence: UInt32, at time: Int64) {
        self.label = label
        self.client = client
        self.server = server
        self.clientInitialSequence = initialSequence
        self.lastSeen = time
        self.carriesDNS = server.port == DNSWireWatcher.port
        fromClient.start(initialSequence: initialSequence)
    }
}
