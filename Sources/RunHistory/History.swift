import Foundation
import FaultlineCore
import Synchronization

/// The run's one history: append-only, in time order, shared by every part of the run.
///
/// Appends are thread-safe; each event is also streamed as one JSON line to `history.jsonl`
/// (when a sink is given) within milliseconds, by a writer thread, so a crash still leaves the
/// evidence on disk without every recorder paying for JSON encoding and a write call.
public final class History: Sendable {
    /// Priority-inheriting: real-time threads (the DNS server's UDP loop) record, and must not
    /// wait behind an ordinary thread preempted while it holds the lock.
    private let storage = PriorityInheritingMutex(EventLog())
    private let writer: HistoryWriter?
    private let encoder: JSONEncoder
    private let clock: @Sendable () -> TimeSpan
    private let observer: (@Sendable (Event) -> Void)?

    /// - Parameters:
    ///   - sink: where each event is written as a JSON line, or nil to keep it in memory only.
    ///   - clock: the time of an event, relative to t = 0 (see ``RunClock``).
    ///   - observer: called with each event as it is recorded (live progress, `--json`); it runs
    ///     under the history's lock, so it must be quick (hand work to another thread) and must not record.
    public init(
        sink: FileHandle? = nil, clock: @escaping @Sendable () -> TimeSpan, observer: (@Sendable (Event) -> Void)? = nil
    ) {
        self.writer = sink.map(HistoryWriter.init(sink:))
        self.clock = clock
        self.observer = observer
        self.encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// A history holding given events, for checks and tests.
    public convenience init(events: [Event]) {
        self.init(clock: { .zero })
        storage.withLock { $0 = EventLog(events) }
    }

    /// Appends an event stamped now and returns it.
    @discardableResult
    public func record(_ kind: EventKind) -> Event {
        storage.withLock { storage in
            // Stamp under the lock so events stay in time order.
            let event = Event(t: clock(), kind)
            storage.append(event)
            write(event)
            return event
        }
    }

    /// Appends events that all happened now, under one lock and with one hand-over to the
    /// writer: the DNS server records each burst of queries it answered together this way.
    public func record(contentsOf kinds: [EventKind]) {
        var events = kinds.map { Event(t: .zero, $0) }
        record(stampingNow: &events)
    }

    /// Appends `events` with their times set to now (what they held is overwritten), under one
    /// lock and with one hand-over to the writer; the caller may reuse the array afterwards.
    public func record(stampingNow events: inout [Event]) {
        guard !events.isEmpty else { return }
        storage.withLock { storage in
            let t = clock()
            for i in events.indices { events[i].t = t }
            storage.append(contentsOf: events)
            if let observer {
                for event in events { observer(event) }
            }
            writer?.enqueue(contentsOf: events[...])
        }
    }

    /// Declares t = 0 (every host ready) and records `timeline.started` there.
    ///
    /// Events recorded before were stamped from the run's start; they are moved onto the
    /// timeline's clock (negative offsets), so every time in the history counts from t = 0.
    /// The lines already streamed keep their old stamps until ``rewrite(to:)`` at the end of the
    /// run; a file cut short by a crash therefore counts its setup lines from the run's start.
    @discardableResult
    public func startTimeline(on clock: RunClock) -> Event {
        storage.withLock { storage in
            let offset = clock.now()
            clock.markZero()
            storage.shiftTimes(by: offset)
            let event = Event(t: .zero, .timelineStarted)
            storage.append(event)
            write(event)
            return event
        }
    }

    /// Replaces the streamed file with every event as it stands now (atomically).
    public func rewrite(to url: URL) throws {
        close()
        var line: [UInt8] = []
        var data = Data()
        for event in events {
            line.removeAll(keepingCapacity: true)
            try event.appendJSONLine(to: &line, encoder: encoder)
            data.append(contentsOf: line)
        }
        try data.write(to: url, options: .atomic)
    }

    private func write(_ event: Event) {
        observer?(event)
        writer?.enqueue(event)
    }

    /// Waits until every event recorded so far is on disk.
    public func flush() { writer?.flush() }

    /// Writes what is pending and stops streaming; later events stay in memory only.
    public func close() { writer?.close() }

    /// Appends an event that happened at `t` (e.g. a packet's capture time on the run's clock).
    @discardableResult
    public func record(_ kind: EventKind, at t: TimeSpan) -> Event {
        storage.withLock { storage in
            let event = Event(t: t, kind)
            storage.append(event)
            write(event)
            return event
        }
    }

    /// Appends an event whose time `stamp` works out under the history's lock, so that it agrees
    /// with ``startTimeline(on:)`` even when t = 0 moves between the moment the event happened
    /// and its recording (the traffic observer converts capture times with ``RunClock/time(atMonotonic:)``).
    @discardableResult
    public func record(_ kind: EventKind, stamp: () -> TimeSpan) -> Event {
        storage.withLock { storage in
            let event = Event(t: stamp(), kind)
            storage.append(event)
            write(event)
            return event
        }
    }

    /// Every event so far, in order.
    public var events: [Event] {
        storage.withLock { $0.all }
    }
}

/// The run's monotonic clock: nanoseconds since t = 0, negative before the timeline starts.
public final class RunClock: Sendable {
    private let zero: Atomic<UInt64>

    public init() { zero = Atomic(RunClock.monotonicNow()) }

    /// Declares now to be t = 0.
    public func markZero() {
        zero.store(RunClock.monotonicNow(), ordering: .sequentiallyConsistent)
    }

    public func now() -> TimeSpan {
        let z = zero.load(ordering: .sequentiallyConsistent)
        return TimeSpan(nanoseconds: Int64(bitPattern: RunClock.monotonicNow() &- z))
    }

    /// The run-clock time of a CLOCK_MONOTONIC instant (nanoseconds), e.g. a packet's capture time.
    public func time(atMonotonic instant: UInt64) -> TimeSpan {
        let z = zero.load(ordering: .sequentiallyConsistent)
        return TimeSpan(nanoseconds: Int64(bitPattern: instant &- z))
    }

    public static func monotonicNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// The history's events in chunks of fixed size, so that a history of millions of events (a
/// DNS benchmark records 100k a second) grows without copying everything it holds, under the
/// lock every recorder waits on, each time it doubles.
struct EventLog: Sendable {
    static let chunkSize = 1 << 16
    private var chunks: [[Event]] = []

    init() {}

    init(_ events: [Event]) {
        append(contentsOf: events)
    }

    mutating func append(_ event: Event) {
        if chunks.isEmpty || chunks[chunks.count - 1].count == Self.chunkSize {
            chunks.append([])
            chunks[chunks.count - 1].reserveCapacity(Self.chunkSize)
        }
        chunks[chunks.count - 1].append(event)
    }

    mutating func append(contentsOf events: [Event]) {
        for event in events { append(event) }
    }

    mutating func shiftTimes(by offset: TimeSpan) {
        for c in chunks.indices {
            for i in chunks[c].indices { chunks[c][i].t = chunks[c][i].t - offset }
        }
    }

    var all: [Event] {
        var result: [Event] = []
        result.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks { result.append(contentsOf: chunk) }
        return result
    }
}
