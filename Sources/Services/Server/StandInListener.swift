import LinuxSystem
import NIOCore
import NIOPosix
import NIOSSL

/// The listening side every stand-in shares: a socket bound inside the host's namespace (it
/// listens before NIO takes it), `TCP_NODELAY` and keep-alive on each accepted connection, TLS
/// when the stand-in serves it, and the stand-in's own pipeline on it.
enum StandInListener {
    static func listen(
        host: String, port: UInt16, thread: NamespaceThread, group: any EventLoopGroup, tls: StandInTLS?,
        recorder: ServiceRecorder, pipeline: @escaping @Sendable (any Channel) throws -> Void
    ) throws -> any Channel {
        let fd = try ListeningSocket.make(.tcp(backlog: 1024), at: .any(port: port), on: thread)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // What this handshake meets is chosen now, from the TLS faults applied.
                        let id = recorder.nextConnection()
                        switch try tls.nextHandshake() {
                        case .fail(let fault, let by):
                            try channel.pipeline.syncOperations.addHandler(
                                TLSConnectionWatch(recorder: recorder, id: id, failure: (fault, by), shapedBy: []))
                            return
                        case .serve(let context, let by):
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                            try channel.pipeline.syncOperations.addHandler(
                                TLSConnectionWatch(recorder: recorder, id: id, failure: nil, shapedBy: by))
                        }
                    }
                    try pipeline(channel)
                }
            }
        do {
            return try bootstrap.withBoundSocket(fd).wait()
        } catch {
            close(fd)
            throw ServiceError(operation: "starting the \(host) service on port \(port)", underlying: error)
        }
    }
}
