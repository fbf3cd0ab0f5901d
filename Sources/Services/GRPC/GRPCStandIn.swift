import FaultlineCore
import Foundation
import LinuxSystem
import NIOCore
import NIOHTTP2
import NIOPosix
import Synchronization

/// A stand-in gRPC server on SwiftNIO's HTTP/2, listening inside a host's namespace: plaintext
/// h2c with prior knowledge (as gRPC clients dial `http://` targets), or HTTP/2 over TLS (ALPN `h2`).
///
/// Each call is one HTTP/2 stream served by a ``GRPCCallHandler``; the fault rules shape calls
/// by their method path (`/etcdserverpb.KV/Range`), as they shape HTTP requests by path.
public final class GRPCStandIn: StandIn {
    public let host: String
    public let port: UInt16
    public let rules: HTTPFaultRules
    public let tls: StandInTLS?
    private let channel: any Channel
    private let housekeeping: RepeatedTask?
    private let stopped = Atomic(false)

    private init(
        host: String, port: UInt16, rules: HTTPFaultRules, tls: StandInTLS?, channel: any Channel, housekeeping: RepeatedTask?
    ) {
        self.host = host
        self.port = port
        self.rules = rules
        self.tls = tls
        self.channel = channel
        self.housekeeping = housekeeping
    }

    /// Binds `port` in the namespace of `thread` and starts serving on `group`; calls are accepted
    /// once this returns.
    public static func start(
        host: String, port: UInt16, thread: NamespaceThread, responder: any GRPCResponder,
        recorder: ServiceRecorder, group: any EventLoopGroup, tls: StandInTLS? = nil
    ) throws -> GRPCStandIn {
        let rules = HTTPFaultRules()
        let channel = try StandInListener.listen(
            host: host, port: port, thread: thread, group: group, tls: tls, recorder: recorder
        ) { channel in
            _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                mode: .server, connectionConfiguration: .init(), streamConfiguration: .init()
            ) { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandler(
                        GRPCCallHandler(responder: responder, rules: rules, recorder: recorder))
                }
            }
        }
        let housekeeping = responder.housekeepingInterval.map { every in
            channel.eventLoop.scheduleRepeatedTask(
                initialDelay: .nanoseconds(every.nanoseconds), delay: .nanoseconds(every.nanoseconds)
            ) { _ in responder.housekeeping() }
        }
        return GRPCStandIn(host: host, port: port, rules: rules, tls: tls, channel: channel, housekeeping: housekeeping)
    }

    /// Stops accepting and the service's own work; open connections close with the event loop
    /// group. Idempotent.
    public func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        housekeeping?.cancel()
        try? channel.close().wait()
    }
}
