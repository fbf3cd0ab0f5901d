import CLinux
import CNetfilterQueue
import FaultlineCore
import Foundation
import Glibc
import LinuxSystem
import Netlink

/// The userspace link engine's delay line: one dedicated thread (never a Swift-concurrency pool
/// thread) reading an ``NetfilterQueue``, deciding each packet's fate with its pair's
/// ``LinkDecider``, and giving each verdict when the packet is due — `ppoll` with nanosecond
/// timeouts and a 1 ns timer slack, verdicts for one wake-up sent in one system call.
public final class DelayLine: Sendable {
    /// One directed pair: its queue number, its decider and where its decisions are logged.
    public struct Lane: Sendable {
        public var queue: UInt16
        public var decider: LinkDecider
        public var log: URL?
        public var label: String

        public init(queue: UInt16, decider: LinkDecider, log: URL?, label: String) {
            self.queue = queue
            self.decider = decider
            self.log = log
            self.label = label
        }
    }

    /// Counters over the line's life.
    public struct Statistics: Sendable, Equatable {
        public var received = 0, dropped = 0, duplicated = 0, corrupted = 0, reordered = 0
        /// Packets that were not IPv4 the engine could read: passed untouched.
        public var unparsed = 0
        /// Verdicts given later than intended, by how much: microsecond buckets (the last holds ≥ 10 ms).
        public var lateness = [Int](repeating: 0, count: 10_001)

        /// The `q`-quantile of lateness in microseconds.
        public func latenessMicroseconds(quantile q: Double) -> Int {
            let total = lateness.reduce(0, +)
            guard total > 0 else { return 0 }
            var seen = 0
            for (us, n) in lateness.enumerated() {
                seen += n
                if Double(seen) >= q * Double(total) { return us }
            }
            return lateness.count - 1
        }
    }

    private struct Held {
        var due: Int64
        var order: UInt64
        var id: UInt32
        var queue: UInt16
        var stash: Int32
        var duplicate: Bool
    }

    /// The thread's own state, taken by the thread when it starts; nothing else touches it.
    private let worker: HandOff<Worker>
    private let rawSocket: Int32
    /// Shared by the real-time thread and readers of ``statistics``.
    private let shared = PriorityInheritingMutex(Shared())
    private let finished = DispatchSemaphore(value: 0)

    /// What the thread and its readers share: the counters it last published, and the stop request.
    private struct Shared: Sendable {
        var published = Statistics()
        var stopping = false
    }

    /// Takes over `queue` (already bound to every lane's queue number); `rawSocket` (from
    /// `fl_raw_open` in the same namespace) re-sends duplicates, -1 when none are needed.
    public init(queue: NetfilterQueue, lanes: [Lane], rawSocket: Int32, header: String) throws {
        self.rawSocket = rawSocket
        var logged: [UInt16: (decider: LinkDecider, log: DecisionLog?)] = [:]
        for lane in lanes {
            let log = try lane.log.map { try DecisionLog(url: $0, header: "\(header) pair=\(lane.label) queue=\(lane.queue)") }
            logged[lane.queue] = (lane.decider, log)
        }
        worker = HandOff(Worker(queue: queue, lanes: logged, rawSocket: rawSocket))
    }

    /// Starts the thread.
    public func start(name: String) {
        let thread = Thread { [self] in
            worker.take()?.run(shared)
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Gives every held packet its verdict now, unbinds the queues and ends the thread; returns the
    /// counters. Call after the steering rules are gone, so nothing new arrives.
    public func stop() -> Statistics {
        shared.withLock { $0.stopping = true }
        finished.wait()
        if rawSocket >= 0 { close(rawSocket) }
        return statistics
    }

    /// The counters so far (refreshed at each wake-up of the thread).
    public var statistics: Statistics { shared.withLock { $0.published } }

    /// The packets held and everything else only the line's thread reads and writes.
    private final class Worker {
        let queue: NetfilterQueue
        var lanes: [UInt16: (decider: LinkDecider, log: DecisionLog?)]
        let rawSocket: Int32
        var heap: [Held] = []
        var stash: [Int32: [UInt8]] = [:]
        var nextStash: Int32 = 0
        var order: UInt64 = 0
        var stats = Statistics()
        var failure: Error?

        init(queue: NetfilterQueue, lanes: [UInt16: (decider: LinkDecider, log: DecisionLog?)], rawSocket: Int32) {
            self.queue = queue
            self.lanes = lanes
            self.rawSocket = rawSocket
            heap.reserveCapacity(1 << 16)
        }

        func run(_ shared: PriorityInheritingMutex<Shared>) {
            _ = fl_set_timer_slack(1)
            // A low real-time priority lets the line preempt ordinary work when a packet falls due, so
            // lateness does not depend on how busy the machine is. Best effort: without the privilege
            // the line runs as an ordinary thread.
            var param = sched_param(sched_priority: 10)
            _ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param)
            let idle: Int64 = 20_000_000
            while !shared.withLock({ $0.stopping }) {
                var now = fl_monotonic_ns()
                do {
                    release(upTo: now)
                    try queue.flush()
                    let timeout = heap.first.map { min(max(0, $0.due - now), idle) } ?? idle
                    if timeout > 0, !queue.wait(timeoutNanoseconds: timeout) { publish(shared); continue }
                    now = fl_monotonic_ns()
                    try queue.receive { handle($0, now) }
                    try queue.flush()
                } catch {
                    failure = error
                    break
                }
                publish(shared)
            }
            release(upTo: .max)
            try? queue.flush()
            queue.unbindAll()
            for lane in lanes.values { lane.log?.flush() }
            publish(shared)
        }

        private func publish(_ shared: PriorityInheritingMutex<Shared>) {
            let stats = self.stats
            shared.withLock { $0.published = stats }
        }

        private func handle(_ packet: NetfilterQueue.Packet, _ now: Int64) {
            stats.received += 1
            guard var lane = lanes[packet.queue] else {
                try? queue.verdict(queue: packet.queue, id: packet.id, accept: true)
                return
            }
            defer { lanes[packet.queue] = lane }
            let bytes = UnsafeRawBufferPointer(start: packet.payload, count: Int(packet.payload_length))
            guard packet.payload != nil, let offset = PacketLayout.payloadOffset(bytes) else {
                stats.unparsed += 1
                lane.log?.record(id: packet.id, decision: nil)
                try? queue.verdict(queue: packet.queue, id: packet.id, accept: true)
                return
            }
            let d = lane.decider.decide(length: bytes.count, payloadOffset: offset)
            lane.log?.record(id: packet.id, decision: d)
            if d.drop {
                stats.dropped += 1
                try? queue.verdict(queue: packet.queue, id: packet.id, accept: false)
                return
            }
            var index: Int32 = -1
            if d.duplicate || d.corruptBit != nil {
                var copy = Array(bytes)
                if let bit = d.corruptBit, bit / 8 < copy.count {
                    copy[bit / 8] ^= UInt8(1 << (bit % 8))
                    stats.corrupted += 1
                }
                index = nextStash
                nextStash &+= 1
                stash[index] = copy
                if d.duplicate {
                    stats.duplicated += 1
                    stash[index &+ 0x4000_0000] = Array(bytes)  // the duplicate is the packet as sent
                }
            }
            if d.reordered { stats.reordered += 1 }
            order &+= 1
            push(Held(due: now + d.delay, order: order, id: packet.id, queue: packet.queue, stash: index, duplicate: d.duplicate))
        }

        private func release(upTo now: Int64) {
            while let first = heap.first, first.due <= now {
                let held = pop()
                let late = (fl_monotonic_ns() - held.due) / 1000
                stats.lateness[Int(min(max(late, 0), 10_000))] += 1
                if held.stash >= 0, let bytes = stash.removeValue(forKey: held.stash) {
                    bytes.withUnsafeBufferPointer { try? queue.verdict(queue: held.queue, id: held.id, accept: true, payload: $0) }
                    if held.duplicate, let original = stash.removeValue(forKey: held.stash &+ 0x4000_0000), rawSocket >= 0 {
                        try? queue.flush()  // the original first, then its copy
                        _ = original.withUnsafeBufferPointer { fl_raw_send(rawSocket, $0.baseAddress, $0.count) }
                    }
                } else {
                    try? queue.verdict(queue: held.queue, id: held.id, accept: true)
                }
            }
        }

        // MARK: Binary heap ordered by (due, arrival)

        private func before(_ a: Held, _ b: Held) -> Bool { a.due != b.due ? a.due < b.due : a.order < b.order }

        private func push(_ h: Held) {
            heap.append(h)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard before(heap[i], heap[parent]) else { break }
                heap.swapAt(i, parent)
                i = parent
            }
        }

        private func pop() -> Held {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < heap.count, before(heap[l], heap[m]) { m = l }
                    if r < heap.count, before(heap[r], heap[m]) { m = r }
                    if m == i { break }
                    heap.swapAt(i, m)
                    i = m
                }
            }
            return top
        }
    }
}
