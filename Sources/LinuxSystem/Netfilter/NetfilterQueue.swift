import CNetfilterQueue
import Glibc

/// An NFQUEUE netlink socket: packets that an iptables `-j NFQUEUE --queue-num N` rule steers to
/// userspace arrive here and leave when a verdict is given, in any order and at any time.
///
/// The socket belongs to the namespace it was opened in: open it on that namespace's
/// ``NamespaceThread``, then read it from any thread. Not thread-safe: one reader owns it.
/// Equivalent to libnetfilter_queue's `nfq_open` / `nfq_create_queue` / `nfq_set_verdict`.
// Unchecked, soundly: a C socket and its buffers, opened on one thread and then owned by its one reader.
public final class NetfilterQueue: @unchecked Sendable {
    /// One queued packet; `payload` points into the receive buffer and is valid until the next ``receive(_:)``.
    public typealias Packet = fl_nfq_packet

    public let fd: Int32
    public let namespace: String
    private var bound: [UInt16] = []
    private let batch = 64
    private let bufferSize = 65_536 + 512
    private var buffers: UnsafeMutablePointer<UInt8>
    private var lengths: [Int32]
    private var packets: [Packet]
    private var verdicts: UnsafeMutablePointer<UInt8>
    private let verdictCapacity = 256 * 1024
    private var verdictUsed = 0
    /// Error replies the kernel sent (e.g. a verdict for a packet it no longer holds).
    public private(set) var errorReplies = 0

    /// Opens the socket in the calling thread's namespace with a `receiveBuffer`-byte buffer.
    public init(namespace: String, receiveBuffer: Int32 = 64 << 20) throws {
        let fd = fl_nfq_open(receiveBuffer)
        guard fd >= 0 else { throw SystemCallError("opening NFQUEUE netlink socket in", namespace, errno: -fd) }
        self.fd = fd
        self.namespace = namespace
        buffers = .allocate(capacity: batch * bufferSize)
        verdicts = .allocate(capacity: verdictCapacity)
        lengths = Array(repeating: 0, count: batch)
        packets = Array(repeating: Packet(), count: batch)
    }

    deinit {
        for q in bound { _ = fl_nfq_unbind(fd, q) }
        close(fd)
        buffers.deallocate()
        verdicts.deallocate()
    }

    /// Binds queue `number` (`nfq_create_queue` + `nfq_set_mode` + `nfq_set_queue_maxlen`).
    /// `copyBytes`: how much of each packet to copy up (0: metadata only, `COPY_META`).
    public func bind(queue number: UInt16, copyBytes: UInt32, maxLength: UInt32) throws {
        let mode = copyBytes == 0 ? UInt8(FL_NFQ_COPY_META) : UInt8(FL_NFQ_COPY_PACKET)
        let r = fl_nfq_bind(fd, number, mode, copyBytes, maxLength, 0)
        guard r == 0 else { throw SystemCallError("binding NFQUEUE \(number) in", namespace, errno: -r) }
        bound.append(number)
    }

    /// Unbinds every queue; packets still queued in the kernel are dropped by it, so give them
    /// verdicts first.
    public func unbindAll() {
        for q in bound { _ = fl_nfq_unbind(fd, q) }
        bound.removeAll()
    }

    /// Waits until a packet is waiting or `timeoutNanoseconds` passed (negative: forever).
    public func wait(timeoutNanoseconds: Int64) -> Bool { fl_poll_ns(fd, timeoutNanoseconds) == 1 }

    /// Reads what is waiting (without blocking) and calls `handle` for each packet.
    /// Returns how many packets were handled.
    @discardableResult
    public func receive(_ handle: (Packet) -> Void) throws -> Int {
        let n = lengths.withUnsafeMutableBufferPointer {
            fl_nfq_receive(fd, buffers, bufferSize, Int32(batch), $0.baseAddress)
        }
        guard n >= 0 else {
            if -n == ENOBUFS { return 0 }
            throw SystemCallError("reading NFQUEUE in", namespace, errno: -n)
        }
        var handled = 0
        for i in 0..<Int(n) {
            var errors: Int32 = 0
            let found = packets.withUnsafeMutableBufferPointer {
                fl_nfq_parse(buffers + i * bufferSize, Int(lengths[i]), $0.baseAddress, Int32(batch), &errors)
            }
            errorReplies += Int(errors)
            for j in 0..<Int(found) { handle(packets[j]) }
            handled += Int(found)
        }
        return handled
    }

    /// Queues a verdict (sent by ``flush()``, or at once when the buffer is full). With `payload`,
    /// the packet is replaced by those bytes.
    public func verdict(queue: UInt16, id: UInt32, accept: Bool, payload: UnsafeBufferPointer<UInt8>? = nil) throws {
        let v = UInt32(accept ? FL_NFQ_ACCEPT : FL_NFQ_DROP)
        for _ in 0..<2 {
            if fl_nfq_put_verdict(verdicts, verdictCapacity, &verdictUsed, queue, id, v,
                                  payload?.baseAddress, UInt32(payload?.count ?? 0)) == 0 { return }
            try flush()
        }
        throw SystemCallError("queueing NFQUEUE verdict in", namespace, errno: EMSGSIZE)
    }

    /// Sends the queued verdicts in one system call.
    public func flush() throws {
        guard verdictUsed > 0 else { return }
        let r = fl_nfq_send(fd, verdicts, verdictUsed)
        verdictUsed = 0
        guard r == 0 else { throw SystemCallError("sending NFQUEUE verdicts in", namespace, errno: -r) }
    }
}
