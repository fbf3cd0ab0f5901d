import Foundation
import LinuxSystem
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A stand-in HTTP server on SwiftNIO, listening inside a host's namespace.
///
/// Accepted connections get `TCP_NODELAY` and one handler each; answers come from the
/// ``HTTPResponder`` unless a fault rule in ``rules`` shapes them.
public final class HTTPStandIn: StandIn {
    public let host: String
    public let port: UInt16
    /// The faults applied now.
    public let rules: HTTPFaultRules
    public let tls: StandInTLS?
    public let responder: any HTTPResponder
    private let channel: any Channel
    private let stopped = Atomic(false)

    private init(
        host: String, port: UInt16, responder: any HTTPResponder, rules: HTTPFaultRules, tls: StandInTLS?, channel: any Channel
    ) {
        self.host = host
        self.rules = rules
        self.tls = tls
        self.port = port
        self.responder = responder
        self.channel = channel
    }

    /// Binds `port` in the namespace of `thread` and starts serving on `group`. The service accepts
    /// connections once this returns (the socket is listening before NIO takes it).
    public static func start(
        host: String, port: UInt16, thread: NamespaceThread, responder: any HTTPResponder,
        recorder: ServiceRecorder, group: any EventLoopGroup, tls: StandInTLS? = nil
    ) throws -> HTTPStandIn {
        let rules = HTTPFaultRules()
        let channel = try StandInListener.listen(
            host: host, port: port, thread: thread, group: group, tls: tls, recorder: recorder
        ) { channel in
            try channel.pipeline.syncOperations.addHandler(
                ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
            try channel.pipeline.syncOperations.addHandler(
                HTTPServiceHandler(responder: responder, rules: rules, recorder: recorder))
        }
        return HTTPStandIn(host: host, port: port, responder: responder, rules: rules, tls: tls, channel: channel)
    }

    /// Stops accepting and closes the listening socket; open connections close with the event loop
    /// group. Idempotent.
    public func stop() {
        let first = !stopped.exchange(true, ordering: .sequentiallyConsistent)
        guard first else { return }
        try? channel.close().wait()
    }
}

/// A stand-in could not start or stop.
public struct ServiceError: Error, CustomStringConvertible {
    public var operation: String
    public var underlying: any Error
    public var description: String { "\(operation): \(underlying)" }
}
