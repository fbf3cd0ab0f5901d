import CLinux
import FaultlineCore
import Foundation
import Glibc
import NIOCore
import RunHistory
import ScenarioFormat
import Synchronization

/// Answers DNS over UDP on one socket from a thread of its own: a blocking `recvmmsg` takes
/// every datagram waiting (up to ``batchSize``), each is answered into a preallocated buffer, one
/// `sendmmsg` sends the replies, and the burst is recorded in the history in one go.
///
/// Plain queries for zone names are answered from the precomputed table without decoding
/// (``DNSResponder/answerDirect(_:into:)``) while no hijack is in force; everything else goes
/// through ``DNSResponder/respond(to:host:transport:)``. Delayed replies are sent from the
/// server's event loop when their delay is up.
///
/// The thread needs no namespace of its own: the socket was made in the testbed's namespace
/// (``ListeningSocket``) and belongs to it whichever thread reads it.
final class DNSDatagramLoop: Sendable {
    static let batchSize: UInt32 = 32
    /// Queries bigger than this are cut and answered FORMERR, as before (NIO read 4096 bytes).
    static let bufferSize: UInt32 = 4096
    /// SCHED_FIFO priority of the loop's thread.
    static let realtimePriority: Int32 = 5

    private let fd: Int32
    private let address: IPv4Address
    private let port: UInt16
    private let responder: DNSResponder
    private let recorder: DNSQueryRecorder
    /// Where delayed replies wait.
    private let delays: EventLoop
    private let stopping = Atomic(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Takes over `fd` (a bound UDP socket), which ``close()`` closes.
    init(fd: Int32, address: IPv4Address, port: UInt16, responder: DNSResponder, recorder: DNSQueryRecorder, delays: EventLoop) throws {
        self.fd = fd
        self.address = address
        self.port = port
        self.responder = responder
        self.recorder = recorder
        self.delays = delays
        // Blocking reads, woken at least every 200 ms to notice stop() if its wake-up datagram is lost.
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            throw DNSServerError(operation: "making the UDP socket on \(address):\(port) blocking", underlying: String(cString: strerror(errno)))
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func start() {
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.name = "dns-udp \(address):\(port)"
        thread.start()
    }

    /// Ends the loop and waits for it. The socket stays open for replies still delayed on the
    /// event loop until ``close()``.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        // An empty datagram to itself wakes the blocked receive at once.
        _ = fl_datagram_send_to(fd, nil, 0, address.value, port)
        finished.wait()
    }

    /// Closes the socket, once the loop is stopped and the event loop has ended.
    func close() { Glibc.close(fd) }

    private var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    private func serve() {
        // Like the link faults' delay line (which keeps priority 10, above this), a low real-time
        // priority lets the loop preempt ordinary work when a query arrives, so answer latency does
        // not depend on how busy the machine is. Best effort: without the privilege it runs as an
        // ordinary thread. The kernel's RT throttling keeps a flood from taking the whole core.
        var param = sched_param(sched_priority: Self.realtimePriority)
        _ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param)
        guard let batch = fl_datagram_batch_create(Self.batchSize, Self.bufferSize) else { return }
        defer { fl_datagram_batch_destroy(batch) }
        var burst: [DNSQueryRecorder.Handled] = []
        burst.reserveCapacity(Int(Self.batchSize))
        var events: [Event] = []
        events.reserveCapacity(Int(Self.batchSize))
        var askers = AskerCache()
        while true {
            let received = fl_datagram_batch_receive(batch, fd)
            if isStopping { return }
            guard received > 0 else {
                // A timeout goes round again; any other error (out of memory, say) must not turn
                // the loop into a real-time busy loop.
                if received != -EAGAIN && received != -EWOULDBLOCK { usleep(1_000) }
                continue
            }
            let start = RunClock.monotonicNow()
            let direct = responder.rules.isEmpty
            for i in 0..<UInt32(received) {
                var length: Int32 = 0
                var source: UInt32 = 0
                var sourcePort: UInt16 = 0
                let data = fl_datagram_batch_input(batch, i, &length, &source, &sourcePort)
                let query = UnsafeRawBufferPointer(start: data, count: Int(length))
                let (host, asker) = askers.lookUp(source, recorder)
                let output = UnsafeMutableRawBufferPointer(start: fl_datagram_batch_output(batch), count: Int(Self.bufferSize))
                if direct, let (answer, replyLength) = responder.answerDirect(query, into: output) {
                    fl_datagram_batch_queue(batch, i, UInt32(replyLength))
                    burst.append(.init(outcome: responder.directOutcome(answer), asker: asker, answered: true, start: start))
                    continue
                }
                var outcome = responder.respond(to: query, host: host, transport: .udp)
                guard let response = outcome.response else {
                    burst.append(.init(outcome: outcome, asker: asker, answered: false, start: start))
                    continue
                }
                if let delay = outcome.delay {
                    sendLater(response, after: delay, outcome: outcome, host: host, source: source, port: sourcePort, start: start)
                    continue
                }
                if response.count <= output.count {
                    response.withUnsafeBytes { output.copyMemory(from: $0) }
                    fl_datagram_batch_queue(batch, i, UInt32(response.count))
                } else {
                    _ = response.withUnsafeBufferPointer { fl_datagram_send_to(fd, $0.baseAddress, $0.count, source, sourcePort) }
                }
                // The history keeps what was sent, not the bytes.
                outcome.response = nil
                burst.append(.init(outcome: outcome, asker: asker, answered: true, start: start))
            }
            _ = fl_datagram_batch_send(batch, fd)
            recorder.record(burst, transport: .udp, end: RunClock.monotonicNow(), events: &events)
            burst.removeAll(keepingCapacity: true)
        }
    }

    /// Sends a hijack's delayed reply from the event loop, and records the query then (so its
    /// latency includes the delay).
    private func sendLater(
        _ response: [UInt8], after delay: TimeSpan, outcome: DNSResponder.Outcome, host: String?, source: UInt32,
        port: UInt16, start: UInt64
    ) {
        let (fd, recorder) = (self.fd, self.recorder)
        delays.scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
            _ = response.withUnsafeBufferPointer { fl_datagram_send_to(fd, $0.baseAddress, $0.count, source, port) }
            let latency = TimeSpan(nanoseconds: Int64(RunClock.monotonicNow() &- start))
            recorder.record(outcome, host: host, source: source, transport: .udp, latency: latency)
        }
    }
}

/// Source address → (scenario host, name in the history), so a stream of queries from one
/// asker does not build its address's text once per query.
private struct AskerCache {
    private var known: [UInt32: (host: String?, asker: String)] = [:]

    mutating func lookUp(_ source: UInt32, _ recorder: DNSQueryRecorder) -> (host: String?, asker: String) {
        if let hit = known[source] { return hit }
        // Bounded: a flood from spoofed sources must not grow it without end.
        if known.count >= 4096 { known.removeAll(keepingCapacity: true) }
        let entry = (recorder.host(at: source), recorder.asker(at: source))
        known[source] = entry
        return entry
    }
}
