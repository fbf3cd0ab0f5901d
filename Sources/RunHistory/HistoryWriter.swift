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
final class HistoryWriter: Sendable {
    private let sink: FileHandle
    /// Priority-inheriting: this thread runs at nice 10 and hands over under this lock with
    /// real-time recorders; preempted inside it, it would otherwise hold them up for as long as
    /// the CPU stays busy (measured: 50 ms stalls of the DNS server's thread).
    private let state = PriorityInheritingMutex(Pending())

    /// The events waiting to be written, and the hand-over's flags.
    struct Pending: Sendable {
        /// Full chunks, oldest first, then the one being filled.
        var full: [[Event]] = []
        var filling: [Event] = []
        var isEmpty: Bool { filling.isEmpty && full.isEmpty }
        var busy = false
        var closed = false
        /// Callers waiting in flush(): the writer then writes at once instead of gathering.
        var flushing = 0

        /// Moves a full chunk to `full` and starts the next one.
        /// Takes every waiting chunk for writing and marks the writer busy.
        mutating func takeAll() -> [[Event]] {
            var chunks: [[Event]] = []
            swap(&chunks, &full)
            if !filling.isEmpty {
                chunks.append(filling)
                filling = []
            }
            busy = true
            return chunks
        }

        mutating func startChunkIfFull() {
            guard filling.count >= HistoryWriter.chunkSize else { return }
            full.append(filling)
            filling = []
            filling.reserveCapacity(HistoryWriter.chunkSize)
        }
    }

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
        state.withLock { pending in
            // Only the first event of a batch wakes the writer (broadcast: flush() waits on the same
            // condition); the rest join it.
            if pending.isEmpty { state.broadcast() }
            pending.startChunkIfFull()
            pending.filling.append(event)
        }
    }

    func enqueue(contentsOf events: ArraySlice<Event>) {
        state.withLock { pending in
            if pending.isEmpty { state.broadcast() }
            var rest = events
            while !rest.isEmpty {
                pending.startChunkIfFull()
                let n = min(rest.count, Self.chunkSize - pending.filling.count)
                pending.filling.append(contentsOf: rest.prefix(n))
                rest = rest.dropFirst(n)
            }
        }
    }

    /// Waits until every event enqueued so far is written.
    func flush() {
        state.withLock { pending in
            pending.flushing += 1
            state.broadcast()
        }
        state.withLock(waitingUntil: { $0.isEmpty && !$0.busy }) { pending in
            pending.flushing -= 1
        }
    }

    /// Writes what is left and ends the thread.
    func close() {
        state.withLock { pending in
            pending.closed = true
            state.broadcast()
        }
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
            // The gathering pause, when there is one, is taken outside the lock.
            let next = state.withLock(waitingUntil: { !$0.isEmpty || $0.closed }) { pending -> Step in
                if pending.isEmpty && pending.closed { return .end }
                if !pending.closed && pending.flushing == 0 { return .gather }
                return .write(pending.takeAll())
            }
            var chunks: [[Event]]
            switch next {
            case .end: return
            case .write(let taken): chunks = taken
            case .gather:
                usleep(Self.gatherInterval)
                chunks = state.withLock { $0.takeAll() }
            }

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

            state.withLock { pending in
                pending.busy = false
                state.broadcast()
            }
        }
    }

    /// What the writer does next: stop, write what it took, or let more gather first.
    private enum Step {
        case end
        case write([[Event]])
        case gather
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
