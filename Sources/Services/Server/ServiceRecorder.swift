import FaultlineCore
import Foundation
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

    public init(history: History, host: String, port: UInt16, hostsByAddress: [String: String],
                exchanges: ExchangeCounter = ExchangeCounter()) {
        self.history = history
        self.host = host
        self.port = port
        self.hostsByAddress = hostsByAddress
        self.exchanges = exchanges
    }

    public var via: String { "service:\(host)" }

    /// The host at `address`, or the address when it is no host's.
    public func client(at address: String?) -> String {
        guard let address else { return "unknown" }
        return hostsByAddress[address] ?? address
    }

    /// Records a request (for a gRPC call, with its HTTP/2 `stream`) and returns its exchange id.
    public func request(_ request: ServiceRequest, from client: String, stream: Int? = nil, grpc: Bool? = nil) -> Int {
        let exchange = exchanges.next()
        var headers: [String: String] = [:]
        for (name, value) in request.headers where Self.keptHeaders.contains(name.lowercased()) {
            headers[name.lowercased()] = value
        }
        history.record(.httpRequest(HTTPRequestEvent(
            exchange: exchange, from: client, to: host, port: port, method: request.method, path: request.uri,
            headers: headers, via: via, stream: stream, grpc: grpc)))
        return exchange
    }

    /// Records the answer to `exchange`: for a gRPC call its HTTP/2 `stream` and its `grpc` status
    /// (nil when it ended without one, with `reset` saying how).
    public func response(exchange: Int, to client: String, status: Int, retryAfter: String?, latency: TimeSpan,
                         fault: String?, stream: Int? = nil, grpc: GRPCStatus? = nil, reset: String? = nil) {
        history.record(.httpResponse(HTTPResponseEvent(
            exchange: exchange, from: client, to: host, status: status, retryAfter: retryAfter, latency: latency,
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
