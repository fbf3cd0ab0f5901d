import Foundation

/// Streams events to `history.jsonl` from a thread of its own, in batches: recording an event
/// costs an append under a lock, while JSON encoding and the write call happen off the hot path
/// (the DNS server and the traffic observer record thousands of events a second).
final class HistoryWriter: @unchecked Sendable {
    private let sink: FileHandle
    private let condition = NSCondition()
    private var pending: [Event] = []
    private var busy = false
    private var closed = false
    /// Callers waiting in flush(): the writer then writes at once instead of gathering.
    private var flushing = 0

    init(sink: FileHandle) {
        self.sink = sink
        let thread = Thread { [self] in loop() }
        thread.name = "history-writer"
        thread.start()
    }

    /// How long the writer lets events gather after the first arrives, so a stream of them
    /// (a DNS benchmark's 100k a second) wakes it a few hundred times a second, not per event.
    static let gatherInterval: useconds_t = 2_000
    static let niceness: Int32 = 10

    func enqueue(_ event: Event) {
        condition.lock()
        // Only the first event of a batch wakes the writer (broadcast: flush() waits on the same
        // condition); the rest join it.
        if pending.isEmpty { condition.broadcast() }
        pending.append(event)
        condition.unlock()
    }

    func enqueue(contentsOf events: ArraySlice<Event>) {
        condition.lock()
        if pending.isEmpty { condition.broadcast() }
        pending.append(contentsOf: events)
        condition.unlock()
    }

    /// Waits until every event enqueued so far is written.
    func flush() {
        condition.lock()
        flushing += 1
        condition.broadcast()
        while !pending.isEmpty || busy { condition.wait() }
        flushing -= 1
        condition.unlock()
    }

    /// Writes what is left and ends the thread.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        flush()
    }

    private func loop() {
        // Streaming the file is bookkeeping: it yields to the servers and the programs under test
        // (nice 10 on this thread only, as Linux applies it per thread) and catches up when they
        // leave the CPU; events are in the history's memory the moment they are recorded.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines: [UInt8] = []
        while true {
            condition.lock()
            while pending.isEmpty && !closed { condition.wait() }
            if pending.isEmpty && closed {
                condition.unlock()
                return
            }
            if !closed && flushing == 0 {
                condition.unlock()
                usleep(Self.gatherInterval)
                condition.lock()
            }
            var batch: [Event] = []
            swap(&batch, &pending)
            busy = true
            condition.unlock()

            lines.removeAll(keepingCapacity: true)
            for event in batch {
                let mark = lines.count
                do { try event.appendJSONLine(to: &lines, encoder: encoder) } catch { lines.removeSubrange(mark...) }
            }
            sink.write(Data(lines))

            condition.lock()
            busy = false
            condition.broadcast()
            condition.unlock()
        }
    }
}
