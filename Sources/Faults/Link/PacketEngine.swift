import CNetfilterQueue
import FaultlineCore
import Foundation
import LinuxSystem
import Netlink
import ScenarioFormat
import Synchronization

/// The per-packet half of the userspace engine, behind a protocol so the effect's order of
/// changes tests without root (``RecordingPacketEngine``).
public protocol PacketEngine: AnyObject, Sendable {
    /// Binds the plan's queues and starts the delay line, before any packet is steered to it.
    func start(_ plan: LinkPlan) throws
    /// Releases held packets, unbinds and stops; nil when it was not running.
    func stop() -> DelayLine.Statistics?
}

/// The real one: an ``NetfilterQueue`` and a raw socket opened on the router's thread, read by a
/// ``DelayLine`` on a thread of its own.
public final class QueuedPacketEngine: PacketEngine, Sendable {
    private let thread: NamespaceThread
    private let seed: UInt64
    private let faultName: String
    private let logDirectory: URL?
    private let running = Mutex<(line: DelayLine?, logFiles: [URL])>((nil, []))

    /// The decision log of each lane, once started.
    public var logFiles: [URL] { running.withLock { $0.logFiles } }

    public init(thread: NamespaceThread, seed: UInt64, faultName: String, logDirectory: URL?) {
        self.thread = thread
        self.seed = seed
        self.faultName = faultName
        self.logDirectory = logDirectory
    }

    /// The decision log's file name for one pair: `link-<fault>-<from>-<to>.tsv`.
    public static func logName(fault: String, pair: DirectedPair) -> String {
        let safe = fault.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        return "link-\(String(safe))-\(pair.from)-\(pair.to).tsv"
    }

    public func start(_ plan: LinkPlan) throws {
        let link = plan.fault
        let needsBytes = link.duplicate != nil || link.corrupt != nil
        let seconds = Double((link.delay ?? .zero).nanoseconds + (link.jitter ?? .zero).nanoseconds) / 1e9
        // ≥ 2 × pps × delay for 100k pps, so a 50 ms line holds a burst; the kernel caps memory anyway.
        let maxLength = UInt32(min(1_000_000, max(8192, 2 * 100_000 * seconds)))
        let router = plan.router.name
        let (queue, raw) = try thread.run { () throws -> (NetfilterQueue, Int32) in
            let q = try NetfilterQueue(namespace: router)
            for lane in plan.lanes {
                try q.bind(queue: lane.queue, copyBytes: needsBytes ? 65_535 : 128, maxLength: maxLength)
            }
            var raw: Int32 = -1
            if link.duplicate != nil {
                raw = fl_raw_open()
                guard raw >= 0 else { throw SystemCallError("opening raw socket for duplicates in", router, errno: -raw) }
            }
            return (q, raw)
        }
        var files: [URL] = []
        let lanes = plan.lanes.map { lane -> DelayLine.Lane in
            let url = logDirectory?.appendingPathComponent(Self.logName(fault: faultName, pair: lane.pair))
            if let url { files.append(url) }
            let random = SeededRandom(seed: seed, stream: faultName, lane.pair.from, lane.pair.to)
            return DelayLine.Lane(queue: lane.queue, decider: LinkDecider(fault: link, random: random), log: url, label: "\(lane.pair)")
        }
        let line = try DelayLine(queue: queue, lanes: lanes, rawSocket: raw, header: "faultline link decisions v1 fault=\(faultName) seed=\(seed)")
        line.start(name: "delay-line:\(faultName)")
        running.withLock { $0 = (line, files) }
    }

    public func stop() -> DelayLine.Statistics? {
        guard let line = running.withLock({ running -> DelayLine? in defer { running.line = nil }; return running.line }) else { return nil }
        return line.stop()
    }

    /// The running line's counters, nil when stopped.
    public var statistics: DelayLine.Statistics? { running.withLock { $0.line?.statistics } }
}

/// Writes `start`/`stop` into a ``RecordingBackend``'s trace instead of touching packets.
public final class RecordingPacketEngine: PacketEngine, Sendable {
    private let recorder: RecordingBackend
    public init(into recorder: RecordingBackend) { self.recorder = recorder }
    public func start(_ plan: LinkPlan) throws {
        try recorder.record("delay line start: queues \(plan.lanes.map { String($0.queue) }.joined(separator: ","))")
    }
    public func stop() -> DelayLine.Statistics? {
        try? recorder.record("delay line stop")
        return nil
    }
}

/// Hands out NFQUEUE numbers, unique within this process (queues are per namespace, and every
/// namespace a run uses is its own).
public enum QueueNumbers {
    private static let next = Mutex<UInt16>(100)

    /// `count` consecutive numbers.
    public static func take(_ count: Int) -> UInt16 {
        next.withLock { next in
            if Int(next) + count > 65_000 { next = 100 }
            defer { next &+= UInt16(count) }
            return next
        }
    }
}
