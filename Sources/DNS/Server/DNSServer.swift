import Glibc
import NIOCore
import NIOPosix
import Netlink
import RunHistory
import ScenarioFormat

/// The scenario's DNS server: UDP and TCP on port 53 at each of its addresses, inside the
/// testbed. The listening sockets are made on a ``NamespaceThread`` (so they belong to the
/// testbed's namespace) and handed to SwiftNIO, which serves them on one event-loop thread.
///
/// Faults change its answers through ``rules``; every query lands in the history.
public final class DNSServer: @unchecked Sendable {
    public let responder: DNSResponder
    public let recorder: DNSQueryRecorder
    /// The addresses it answers on (each with UDP and TCP).
    public let addresses: [IPv4Address]
    public let port: UInt16
    private let group: MultiThreadedEventLoopGroup
    private var channels: [Channel] = []

    /// The hijacks in force; faults install and remove theirs here.
    public var rules: DNSRuleSet { responder.rules }

    /// Starts serving on `addresses` (at least one) inside `thread`'s namespace.
    ///
    /// - Parameters:
    ///   - hosts: host name → address, to name the asker of each query in the history.
    public static func start(
        responder: DNSResponder, on thread: NamespaceThread, addresses: [IPv4Address], port: UInt16 = 53,
        hosts: [String: IPv4Address], history: History?
    ) throws -> DNSServer {
        let server = DNSServer(responder: responder, recorder: DNSQueryRecorder(history: history, hosts: hosts),
                               addresses: addresses, port: port)
        do {
            for address in addresses { try server.listen(on: address, thread: thread) }
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    private init(responder: DNSResponder, recorder: DNSQueryRecorder, addresses: [IPv4Address], port: UInt16) {
        self.responder = responder
        self.recorder = recorder
        self.addresses = addresses
        self.port = port
        // One thread: the machine has two cores and the clients need the other.
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    private func listen(on address: IPv4Address, thread: NamespaceThread) throws {
        let (responder, recorder) = (self.responder, self.recorder)
        let udp = try ListeningSocket.make(SOCK_DGRAM, address: address, port: port, on: thread)
        let datagram = DatagramBootstrap(group: group)
            .channelOption(.datagramVectorReadMessageCount, value: 32)
            .channelOption(.maxMessagesPerRead, value: 32)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 4096))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DNSDatagramHandler(responder: responder, recorder: recorder))
                }
            }
        do {
            channels.append(try datagram.withBoundSocket(udp).wait())
        } catch {
            close(udp)
            throw DNSServerError(operation: "serving UDP on \(address):\(port)", underlying: "\(error)")
        }

        let tcp = try ListeningSocket.make(SOCK_STREAM, address: address, port: port, on: thread)
        let stream = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 128)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSStreamFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(DNSStreamHandler(responder: responder, recorder: recorder))
                }
            }
        do {
            channels.append(try stream.withBoundSocket(tcp).wait())
        } catch {
            close(tcp)
            throw DNSServerError(operation: "serving TCP on \(address):\(port)", underlying: "\(error)")
        }
    }

    /// What the server has handled so far.
    public var counters: DNSServerCounters { recorder.snapshot }

    /// Closes every socket and ends the event loop. Idempotent.
    public func stop() {
        for channel in channels { try? channel.close().wait() }
        channels.removeAll()
        try? group.syncShutdownGracefully()
    }
}

/// The DNS server could not start.
public struct DNSServerError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var underlying: String
    public var description: String { "\(operation): \(underlying)" }
}
