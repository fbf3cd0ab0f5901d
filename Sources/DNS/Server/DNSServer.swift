import FaultlineCore
import Glibc
import LinuxSystem
import NIOCore
import NIOPosix
import RunHistory
import ScenarioFormat
import Synchronization

/// The scenario's DNS server: UDP and TCP on port 53 at each of its addresses, inside the
/// testbed. The sockets are made on a ``NamespaceThread`` (so they belong to the testbed's
/// namespace); each UDP socket is served by a ``DNSDatagramLoop`` thread of its own (batched
/// `recvmmsg`/`sendmmsg`), TCP by SwiftNIO on one event-loop thread, which also sends delayed
/// UDP replies.
///
/// Faults change its answers through ``rules``; every query lands in the history.
public final class DNSServer: Sendable {
    public let responder: DNSResponder
    public let recorder: DNSQueryRecorder
    /// The addresses it answers on (each with UDP and TCP).
    public let addresses: [IPv4Address]
    public let port: UInt16
    private let group: MultiThreadedEventLoopGroup
    /// What ``stop()`` closes: the TCP channels and the UDP loops started so far.
    private let listeners = Mutex(Listeners())

    private struct Listeners {
        var channels: [Channel] = []
        var datagramLoops: [DNSDatagramLoop] = []
    }

    /// The SCHED_FIFO priority of the threads that answer UDP queries.
    public static var udpRealtimePriority: Int32 { DNSDatagramLoop.realtimePriority }

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
        // One thread for TCP and delayed replies: the UDP loops have their own.
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    private func listen(on address: IPv4Address, thread: NamespaceThread) throws {
        let (responder, recorder) = (self.responder, self.recorder)
        let udp = try ListeningSocket.make(.udp(receiveBuffer: 4 << 20), at: IPv4SocketAddress(address, port: port), nonBlocking: true, on: thread)
        do {
            let loop = try DNSDatagramLoop(
                fd: udp, address: address, port: port, responder: responder, recorder: recorder, delays: group.next())
            loop.start()
            listeners.withLock { $0.datagramLoops.append(loop) }
        } catch {
            close(udp)
            throw error
        }

        let tcp = try ListeningSocket.make(.tcp(backlog: 128), at: IPv4SocketAddress(address, port: port), nonBlocking: true, on: thread)
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
            let channel = try stream.withBoundSocket(tcp).wait()
            listeners.withLock { $0.channels.append(channel) }
        } catch {
            close(tcp)
            throw DNSServerError(operation: "serving TCP on \(address):\(port)", underlying: "\(error)")
        }
    }

    /// What the server has handled so far.
    public var counters: DNSServerCounters { recorder.snapshot }

    /// Closes every socket and ends the event loop. Idempotent.
    public func stop() {
        // Taken out under the lock, closed outside it: closing waits on the event loop.
        let (channels, datagramLoops) = listeners.withLock { listeners in
            defer { listeners = Listeners() }
            return (listeners.channels, listeners.datagramLoops)
        }
        for loop in datagramLoops { loop.stop() }
        for channel in channels { try? channel.close().wait() }
        // Delayed UDP replies still waiting are dropped with the event loop, before their socket closes.
        try? group.syncShutdownGracefully()
        for loop in datagramLoops { loop.close() }
    }
}

/// The DNS server could not start.
public struct DNSServerError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var underlying: String
    public var description: String { "\(operation): \(underlying)" }
}
