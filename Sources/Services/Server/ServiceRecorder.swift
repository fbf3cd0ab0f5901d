import FaultlineCore
import Foundation
import NIOCore
import RunHistory
import ScenarioFormat
import Synchronization

/// Writes what a stand-in serves into the run's history: one ``HTTPRequestEvent`` per request and
/// one ``HTTPResponseEvent`` per answer, with `via: service:<host>`.
public final class ServiceRecorder: Sendable {
    /// Request headers worth keeping (lower-case); bodies are never stored.
    static let keptHeaders = ["user-agent", "x-consul-token", "x-request-id", "idempotency-key"]

    public let history: History
    /// The host the service runs on.
    public let host: String
    public let port: UInt16
    /// Testbed address → host name, to name the client.
    private let hostsByAddress: [String: String]
    private let exchanges: ExchangeCounter
    /// The stand-in serves TLS: it records its side of each connection, and its requests say so.
    public let tls: Bool
    private let connections = ExchangeCounter()

    public init(history: History, host: String, port: UInt16, hostsByAddress: [String: String],
                exchanges: ExchangeCounter = ExchangeCounter(), tls: Bool = false) {
        self.history = history
        self.host = host
        self.port = port
        self.hostsByAddress = hostsByAddress
        self.exchanges = exchanges
        self.tls = tls
    }

    public var via: String { "service:\(host)" }

    /// The client at `address`: its host (or the address when it is no host's) and port.
    public func client(at address: SocketAddress?) -> ServiceClient {
        guard let address, let ip = address.ipAddress else { return .unknown }
        return ServiceClient(name: hostsByAddress[ip] ?? ip, port: address.port.map { UInt16(truncatingIfNeeded: $0) })
    }

    /// A new connection's number (a TLS stand-in's, unique among its own).
    func nextConnection() -> Int { connections.next() }

    /// Records a step of a TLS connection as the stand-in saw it.
    func connection(_ id: Int, client: ServiceClient, phase: ConnectionPhase, application: ApplicationProtocol? = nil,
                    tls: TLSStep? = nil) {
        history.record(.connection(ConnectionEvent(
            connection: id, from: client.name, to: host, sourcePort: client.port ?? 0, port: port, phase: phase,
            application: application, tls: tls, via: via)))
    }

    /// Records a request (for a gRPC call, with its HTTP/2 `stream`) and returns its exchange id.
    public func request(_ request: ServiceRequest, from client: ServiceClient, stream: Int? = nil, grpc: Bool? = nil) -> Int {
        let exchange = exchanges.next()
        var headers: [String: String] = [:]
        for (name, value) in request.headers where Self.keptHeaders.contains(name.lowercased()) {
            headers[name.lowercased()] = value
        }
        history.record(.httpRequest(HTTPRequestEvent(
            exchange: exchange, from: client.name, to: host, port: port, method: request.method, path: request.uri,
            headers: headers, via: via, stream: stream, grpc: grpc, sourcePort: client.port, tls: tls ? true : nil)))
        return exchange
    }

    /// Records the answer to `exchange`: for a gRPC call its HTTP/2 `stream` and its `grpc` status
    /// (nil when it ended without one, with `reset` saying how).
    public func response(exchange: Int, to client: ServiceClient, status: Int, retryAfter: String?, latency: TimeSpan,
                         fault: String?, stream: Int? = nil, grpc: GRPCStatus? = nil, reset: String? = nil) {
        history.record(.httpResponse(HTTPResponseEvent(
            exchange: exchange, from: client.name, to: host, status: status, retryAfter: retryAfter, latency: latency,
            via: via, fault: fault, stream: stream, grpcStatus: grpc?.code.rawValue,
            grpcMessage: grpc.flatMap { $0.message.isEmpty ? nil : $0.message },
            grpcRetryPushback: grpc?.pushbackMilliseconds.map(String.init), reset: reset)))
    }
}

/// Numbers exchanges uniquely across every stand-in of a run.
public final class ExchangeCounter: Sendable {
    private let last = Atomic(0)

    public init() {}

    public func next() -> Int {
        last.add(1, ordering: .sequentiallyConsistent).newValue
    }
}
