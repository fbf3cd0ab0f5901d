import Foundation
import FaultlineCore

/// Streams events to `history.jsonl` from a thread of its own, in batches: recording an event
/// costs an append under a lock, while JSON encoding and the write call happen off the hot path
/// (the DNS server and the traffic observer record thousands of events a second).
///
/// Waiting events are kept in chunks of at most ``chunkSize`` and written a chunk at a time
/// through one reused buffer. A backlog (a flood starves this low-priority thread) then never
/// becomes one huge array: growing one meant copying megabytes inside a recorder's call, and
/// freeing one (and its encoded text) unmapped hundreds of megabytes while holding the address
/// space's lock, which stalled the DNS server's thread for milliseconds.
final class HistoryWriter: @unchecked Sendable {
    private let sink: FileHandle
    /// Priority-inheriting: this thread runs at nice 10 and hands over under this lock with
    /// real-time recorders; preempted inside it, it would otherwise hold them up for as long as
    /// the CPU stays busy (measured: 50 ms stalls of the DNS server's thread).
    private let condition = PriorityInheritingCondition()
    /// Full chunks, oldest first, then the one being filled.
    private var full: [[Event]] = []
    private var filling: [Event] = []
    private var pendingIsEmpty: Bool { filling.isEmpty && full.isEmpty }
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
    static let chunkSize = 1024
    /// Encoded text is written out whenever this much has gathered.
    static let writeSize = 256 * 1024

    func enqueue(_ event: Event) {
        condition.lock()
        // Only the first event of a batch wakes the writer (broadcast: flush() waits on the same
        // condition); the rest join it.
        if pendingIsEmpty { condition.broadcast() }
        startChunkIfFull()
        filling.append(event)
        condition.unlock()
    }

    func enqueue(contentsOf events: ArraySlice<Event>) {
        condition.lock()
        if pendingIsEmpty { condition.broadcast() }
        var rest = events
        while !rest.isEmpty {
            startChunkIfFull()
            let n = min(rest.count, Self.chunkSize - filling.count)
            filling.append(contentsOf: rest.prefix(n))
            rest = rest.dropFirst(n)
        }
        condition.unlock()
    }

    /// Under the lock: moves a full chunk to `full` and starts the next one.
    private func startChunkIfFull() {
        guard filling.count >= Self.chunkSize else { return }
        full.append(filling)
        filling = []
        filling.reserveCapacity(Self.chunkSize)
    }

    /// Waits until every event enqueued so far is written.
    func flush() {
        condition.lock()
        flushing += 1
        condition.broadcast()
        while !pendingIsEmpty || busy { condition.wait() }
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
        lines.reserveCapacity(Self.writeSize * 2)
        while true {
            condition.lock()
            while pendingIsEmpty && !closed { condition.wait() }
            if pendingIsEmpty && closed {
                condition.unlock()
                return
            }
            if !closed && flushing == 0 {
                condition.unlock()
                usleep(Self.gatherInterval)
                condition.lock()
            }
            var chunks: [[Event]] = []
            swap(&chunks, &full)
            if !filling.isEmpty {
                chunks.append(filling)
                filling = []
            }
            busy = true
            condition.unlock()

            for i in chunks.indices {
                for event in chunks[i] {
                    let mark = lines.count
                    do { try event.appendJSONLine(to: &lines, encoder: encoder) } catch { lines.removeSubrange(mark...) }
                }
                // Each chunk is let go once encoded, so a backlog is freed as it is written.
                chunks[i] = []
                if lines.count >= Self.writeSize || i == chunks.count - 1 {
                    writeOut(lines)
                    lines.removeAll(keepingCapacity: true)
                }
            }

            condition.lock()
            busy = false
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Writes `bytes` to the sink with write(2), retrying short writes; an error ends this batch's
    /// write (the file is rewritten whole at the end of a run).
    private func writeOut(_ bytes: [UInt8]) {
        let fd = sink.fileDescriptor
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
