import CPcap
import Glibc
import RunHistory
import ScenarioFormat

/// The body of the traffic observer's thread: polls the capture, writes each packet to the
/// capture file, hands it to the ``TrafficAnalyzer``, and every interval records the stats,
/// flushes the file and forgets idle connections.
/// Handed to the capture thread at start (``HandOff``) and used only there afterwards.
final class CaptureLoop {
    private let handle: PcapHandle
    private let dump: PcapDumpFile?
    private let analyzer: TrafficAnalyzer
    private let history: History
    private let configuration: TrafficObserver.Configuration
    private let shouldStop: () -> Bool
    private let captureClock = CaptureClock.measure()

    init(
        handle: PcapHandle, dump: PcapDumpFile?, names: [UInt32: String], history: History, runClock: RunClock,
        configuration: TrafficObserver.Configuration, shouldStop: @escaping () -> Bool
    ) {
        self.handle = handle
        self.dump = dump
        self.history = history
        self.configuration = configuration
        self.shouldStop = shouldStop
        let clock = captureClock
        analyzer = TrafficAnalyzer(hostNames: names) { kind, realtime in
            let instant = clock.monotonic(fromRealtime: realtime)
            history.record(kind) { runClock.time(atMonotonic: instant) }
        }
    }

    /// Runs until asked to stop, then drains what is captured and returns the figures.
    func run() throws -> TrafficObserver.Summary {
        let interval = configuration.statsInterval
        let intervalNanoseconds = interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
        var nextStats = CaptureClock.now(CLOCK_MONOTONIC) + intervalNanoseconds
        var poller = pollfd(fd: handle.selectableDescriptor, events: Int16(POLLIN), revents: 0)
        defer { dump?.close() }
        while !shouldStop() {
            poller.revents = 0
            // Wake at least every 100 ms to see a stop request and keep the stats on time.
            if poll(&poller, 1, 100) > 0 { try drain() }
            let now = CaptureClock.now(CLOCK_MONOTONIC)
            if now >= nextStats {
                nextStats = now + intervalNanoseconds
                recordStats()
                dump?.flush()
                analyzer.expireIdle(now: now + captureClock.offset)
            }
        }
        try drain()
        analyzer.finish()
        let stats = recordStats()
        return TrafficObserver.Summary(stats: stats, counters: analyzer.counters, cpuTime: Self.threadCPUTime())
    }

    /// Reads every packet waiting in the ring.
    private func drain() throws {
        let linkType = handle.linkType
        let nano = handle.nanosecondTimestamps
        let analyze = configuration.analyze
        while true {
            let n = try handle.dispatch(limit: 4096) { header, bytes in
                dump?.write(header, bytes)
                guard analyze else { return }
                let ts = header.pointee.ts
                let time = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_usec) * (nano ? 1 : 1000)
                analyzer.process(UnsafeRawBufferPointer(start: bytes, count: Int(header.pointee.caplen)), linkType: linkType, at: time)
            }
            if n == 0 { return }
        }
    }

    @discardableResult
    private func recordStats() -> CaptureStats {
        let s = handle.statistics()
        let stats = CaptureStats(
            received: s.received, dropped: s.dropped, interfaceDropped: s.interfaceDropped, unparsed: analyzer.unparsedBytes)
        history.record(.captureStats(stats))
        return stats
    }

    /// CPU time of the calling thread.
    static func threadCPUTime() -> Duration {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
    }
}
