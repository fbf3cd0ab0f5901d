import FaultlineCore

/// What crossed the wire, and what stand-in services served: the payloads of the traffic events.
///
/// Each names its hosts by scenario name (an address that is no host's is written as the address).
/// `via` says who saw it: `wire` (the traffic observer's capture on the router) or
/// `service:<host>` (a stand-in service recording what it served). Checks read one source, the
/// wire when the run captured, so nothing is counted twice.

/// One step in the life of a TCP connection, as seen on the wire.
public struct ConnectionEvent: Codable, Sendable, Equatable {
    /// Unique within the run; ties the steps of one connection together.
    public var connection: Int
    public var from: String
    public var to: String
    public var sourcePort: UInt16
    public var port: UInt16
    public var phase: ConnectionPhase
    /// For `closed`/`reset`: payload bytes each way so far.
    public var bytesOut: Int?
    public var bytesIn: Int?
    /// For `protocol`: what the client's first bytes are.
    public var application: ApplicationProtocol?
    /// For a later `protocol` event: why the observer stopped reading the connection here (an
    /// HTTP/2 capture gap, a header block HPACK could not decode). Calls from here on are unseen.
    public var undecoded: String?
    /// For `tls`: the step of the TLS handshake the wire showed (or the stand-in made).
    public var tls: TLSStep?
    /// Who saw it: nil for the wire; `service:<host>` for a TLS stand-in, which records its own
    /// side of each connection (accepted, the handshake's end with the alert it received or sent,
    /// closed), numbered on its own. The stand-in holds the keys, so it reads what the wire cannot.
    public var via: String?

    public init(
        connection: Int, from: String, to: String, sourcePort: UInt16, port: UInt16, phase: ConnectionPhase,
        bytesOut: Int? = nil, bytesIn: Int? = nil, application: ApplicationProtocol? = nil, undecoded: String? = nil,
        tls: TLSStep? = nil, via: String? = nil
    ) {
        self.connection = connection
        self.from = from
        self.to = to
        self.sourcePort = sourcePort
        self.port = port
        self.phase = phase
        self.bytesOut = bytesOut
        self.bytesIn = bytesIn
        self.application = application
        self.undecoded = undecoded
        self.tls = tls
        self.via = via
    }
}

/// What a TCP connection carries, told from the client's first bytes on the wire.
public enum ApplicationProtocol: String, Codable, Sendable, CaseIterable {
    /// An HTTP/1.x request line: the observer reads every exchange.
    case http1 = "http/1"
    /// The HTTP/2 connection preface (`PRI * HTTP/2.0`): prior-knowledge h2c, whose streams the
    /// observer reads (a later `protocol` event with `undecoded` says where it had to stop).
    case http2 = "h2"
    /// A TLS handshake record: encrypted, nothing inside can be read on the wire.
    case tls
    /// Anything else.
    case other

    /// Why the observer cannot judge calls on such a connection; nil for HTTP/1.x and h2c.
    public var undecodedReason: String? {
        switch self {
        case .http1, .http2: nil
        case .tls: "TLS: encrypted traffic the observer cannot read"
        case .other: "not HTTP/1.x: a protocol the observer does not decode"
        }
    }
}

public enum ConnectionPhase: String, Codable, Sendable {
    /// The client's first SYN: a connection attempt.
    case attempt
    /// A SYN sent again for the same attempt (the kernel's retry while unanswered).
    case synRetransmit = "syn-retransmit"
    /// The handshake completed.
    case established
    /// The client's first payload told what the connection carries (`application`).
    case identified = "protocol"
    /// A step of the TLS handshake, read from its plaintext records (`tls`).
    case tls
    /// The attempt was answered with RST (connection refused).
    case refused
    /// The attempt was answered with ICMP destination unreachable (no route to the host).
    case unreachable
    /// RST after the handshake.
    case reset
    /// FIN from either side.
    case closed
}

/// An HTTP request: an HTTP/1.x request, or an HTTP/2 stream's request headers.
public struct HTTPRequestEvent: Codable, Sendable, Equatable {
    /// Unique within the run; the response carries the same id.
    public var exchange: Int
    public var connection: Int?
    public var from: String
    public var to: String
    public var port: UInt16
    public var method: String
    public var path: String
    /// Selected headers (lower-cased names), e.g. `x-consul-token`.
    public var headers: [String: String]
    public var via: String
    /// The HTTP/2 stream the request went on; nil for HTTP/1.x.
    public var stream: Int?
    /// A gRPC call (`content-type: application/grpc…`): its outcome is the response's `grpcStatus`.
    public var grpc: Bool?
    /// The client's port, as the stand-in saw it (the wire's connection events carry theirs).
    public var sourcePort: UInt16?
    /// Served inside TLS by the stand-in that terminated it; the wire saw only encrypted records.
    public var tls: Bool?

    public init(
        exchange: Int, connection: Int? = nil, from: String, to: String, port: UInt16, method: String, path: String,
        headers: [String: String] = [:], via: String, stream: Int? = nil, grpc: Bool? = nil, sourcePort: UInt16? = nil,
        tls: Bool? = nil
    ) {
        self.exchange = exchange
        self.connection = connection
        self.from = from
        self.to = to
        self.port = port
        self.method = method
        self.path = path
        self.headers = headers
        self.via = via
        self.stream = stream
        self.grpc = grpc
        self.sourcePort = sourcePort
        self.tls = tls
    }
}

/// The response to an ``HTTPRequestEvent`` (same `exchange`).
public struct HTTPResponseEvent: Codable, Sendable, Equatable {
    public var exchange: Int
    public var connection: Int?
    /// The client.
    public var from: String
    /// The server.
    public var to: String
    public var status: Int
    /// `Retry-After` as sent, if any.
    public var retryAfter: String?
    /// From the request's first byte to the response's first byte.
    public var latency: TimeSpan
    public var via: String
    /// Which fault shaped this answer, if a stand-in service applied one.
    public var fault: String?
    /// The HTTP/2 stream; nil for HTTP/1.x.
    public var stream: Int?
    /// A gRPC call's `grpc-status` (trailers, or a Trailers-Only response), `grpc-message`
    /// (percent-decoded) and `grpc-retry-pushback-ms` as sent. A gRPC answer is stamped when its
    /// status arrived, and `latency` runs to then.
    public var grpcStatus: Int?
    public var grpcMessage: String?
    public var grpcRetryPushback: String?
    /// The stream ended without a complete answer: `RST_STREAM CANCEL (client)`,
    /// `GOAWAY REFUSED_STREAM`, … `status` is then the one answered before, or 0 for none.
    public var reset: String?

    public init(
        exchange: Int, connection: Int? = nil, from: String, to: String, status: Int, retryAfter: String? = nil,
        latency: TimeSpan, via: String, fault: String? = nil, stream: Int? = nil, grpcStatus: Int? = nil,
        grpcMessage: String? = nil, grpcRetryPushback: String? = nil, reset: String? = nil
    ) {
        self.exchange = exchange
        self.connection = connection
        self.from = from
        self.to = to
        self.status = status
        self.retryAfter = retryAfter
        self.latency = latency
        self.via = via
        self.fault = fault
        self.stream = stream
        self.grpcStatus = grpcStatus
        self.grpcMessage = grpcMessage
        self.grpcRetryPushback = grpcRetryPushback
        self.reset = reset
    }
}

/// One UDP flow — datagrams between one address and port pair, either way — as seen on the wire.
///
/// `from` is whoever sent the flow's first datagram. A flow is `started` by its first datagram,
/// marked `unreachable` each time an ICMP destination-unreachable answers it (nobody listens on
/// the port, or a route rejected it), and `ended` when it falls silent (stamped at its last
/// datagram) or the capture stops, with what it carried each way.
public struct UDPFlowEvent: Codable, Sendable, Equatable {
    /// Unique within the run; ties the steps of one flow together.
    public var flow: Int
    public var from: String
    public var to: String
    public var sourcePort: UInt16
    public var port: UInt16
    public var phase: UDPFlowPhase
    /// For `ended`: datagrams and payload bytes each way.
    public var datagramsOut: Int?
    public var datagramsIn: Int?
    public var bytesOut: Int?
    public var bytesIn: Int?
    /// For `unreachable`: the ICMP code's meaning (`port unreachable`, `host unreachable` …) and
    /// who sent it.
    public var reason: String?

    public init(
        flow: Int, from: String, to: String, sourcePort: UInt16, port: UInt16, phase: UDPFlowPhase,
        datagramsOut: Int? = nil, datagramsIn: Int? = nil, bytesOut: Int? = nil, bytesIn: Int? = nil, reason: String? = nil
    ) {
        self.flow = flow
        self.from = from
        self.to = to
        self.sourcePort = sourcePort
        self.port = port
        self.phase = phase
        self.datagramsOut = datagramsOut
        self.datagramsIn = datagramsIn
        self.bytesOut = bytesOut
        self.bytesIn = bytesIn
        self.reason = reason
    }
}

public enum UDPFlowPhase: String, Codable, Sendable {
    case started
    case unreachable
    case ended
}

/// One DNS message seen on the wire (UDP or TCP, port 53): a query or a response.
///
/// `from` is always the asking side and `to` the resolver, whichever way the message went, like
/// HTTP events. A response names the query it answers by `id` and carries the answer's rcode,
/// records (`TYPE data`) and its latency from the query's capture when the query was seen.
public struct DNSMessageEvent: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    public var id: UInt16
    public var response: Bool
    public var name: String
    public var type: String
    /// `udp` or `tcp`.
    public var transport: String
    public var rcode: DNSResponseCode?
    public var answers: [String]?
    public var truncated: Bool
    public var latency: TimeSpan?

    // `type` is the event's own discriminator in the flat history line.
    private enum CodingKeys: String, CodingKey {
        case from, to, id, response, name, type = "qtype", transport, rcode, answers, truncated, latency
    }

    public init(
        from: String, to: String, id: UInt16, response: Bool, name: String, type: String, transport: String,
        rcode: DNSResponseCode? = nil, answers: [String]? = nil, truncated: Bool = false, latency: TimeSpan? = nil
    ) {
        self.from = from
        self.to = to
        self.id = id
        self.response = response
        self.name = name
        self.type = type
        self.transport = transport
        self.rcode = rcode
        self.answers = answers
        self.truncated = truncated
        self.latency = latency
    }
}

/// The capture's own counters (libpcap `pcap_stats`): a run with drops says so in its evidence.
public struct CaptureStats: Codable, Sendable, Equatable {
    public var received: Int
    public var dropped: Int
    public var interfaceDropped: Int
    /// Bytes that could not be parsed (malformed HTTP, binary on an HTTP port …), counted not dropped.
    public var unparsed: Int

    public init(received: Int, dropped: Int, interfaceDropped: Int, unparsed: Int = 0) {
        self.received = received
        self.dropped = dropped
        self.interfaceDropped = interfaceDropped
        self.unparsed = unparsed
    }
}

/// Faultline's own probes leave from this source-port range, so checks on the client's traffic
/// can leave them out (the range lies above Linux's default ephemeral ports, 32768–60999).
public enum ProbeTraffic {
    public static let sourcePorts: ClosedRange<UInt16> = 61000...61999
}
