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

    init(sink: FileHandle) {
        self.sink = sink
        let thread = Thread { [self] in loop() }
        thread.name = "history-writer"
        thread.start()
    }

    func enqueue(_ event: Event) {
        condition.lock()
        pending.append(event)
        condition.signal()
        condition.unlock()
    }

    /// Waits until every event enqueued so far is written.
    func flush() {
        condition.lock()
        while !pending.isEmpty || busy { condition.wait() }
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        while true {
            condition.lock()
            while pending.isEmpty && !closed { condition.wait() }
            if pending.isEmpty && closed {
                condition.unlock()
                return
            }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            busy = true
            condition.unlock()

            var data = Data()
            for event in batch {
                guard let line = try? encoder.encode(event) else { continue }
                data.append(line)
                data.append(0x0A)
            }
            sink.write(data)

            condition.lock()
            busy = false
            condition.broadcast()
            condition.unlock()
        }
    }
}
