import FaultlineCore
import Foundation
@testable import RunHistory
import ScenarioFormat
import Testing

/// `dns.query` lines are written by hand for speed; they must be the bytes `JSONEncoder` writes.
@Suite struct EventJSONLineTests {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static let strings = [
        "", "client", "consul.service.consul", "quote\"back\\slash/slash", "tab\tnew\nline\rcr", "\u{8}\u{c}\u{1}\u{1f}\u{7f}",
        "a\\.b\\010.", "ünïcödé ✓ 🐢", "\u{2028}\u{2029}",
    ]
    static let times: [Int64] = [0, 1, 999, 12_000, 1_500_000_000, -2_000_000, 123_456_789, 86_400_000_000_001, 5_000_000_000, 100_000]

    @Test func dnsQueryLinesAreWhatJSONEncoderWrites() throws {
        let encoder = Self.encoder()
        var checked = 0
        for (i, s) in Self.strings.enumerated() {
            for (j, ns) in Self.times.enumerated() {
                let event = Event(t: TimeSpan(nanoseconds: ns * 3 + Int64(i)), .dnsQuery(
                    host: s, name: Self.strings[(i + 1) % Self.strings.count], type: "A", transport: "udp", outcome: .answered(.noError),
                    answers: j % 3 == 0 ? [] : [s, "A 198.18.0.2"], truncated: j % 2 == 0, latency: TimeSpan(nanoseconds: ns),
                    fault: j % 2 == 0 ? nil : s))
                var line: [UInt8] = []
                try event.appendJSONLine(to: &line, encoder: encoder)
                let expected = Array(try encoder.encode(event)) + [0x0A]
                #expect(line == expected, "\(String(decoding: line, as: UTF8.self)) vs \(String(decoding: expected, as: UTF8.self))")
                #expect(try JSONDecoder().decode(Event.self, from: Data(line.dropLast())) == event)
                checked += 1
            }
        }
        #expect(checked == Self.strings.count * Self.times.count)
    }

    @Test func otherEventsGoThroughTheEncoder() throws {
        let event = Event(t: .seconds(2), .note(message: "a/b"))
        var line: [UInt8] = []
        try event.appendJSONLine(to: &line, encoder: Self.encoder())
        #expect(String(decoding: line, as: UTF8.self) == #"{"message":"a/b","t":2,"type":"note"}"# + "\n")
    }

    @Test func aBurstIsStampedOnceAndStreamedInOrder() throws {
        let path = NSTemporaryDirectory() + "fl-history-burst-\(UUID().uuidString).jsonl"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let history = History(sink: sink, clock: { .seconds(7) })
        history.record(.note(message: "before"))
        history.record(contentsOf: (0..<3).map { .note(message: "burst \($0)") })
        history.record(contentsOf: [])
        history.flush()
        try sink.close()
        #expect(history.events.map(\.t) == Array(repeating: .seconds(7), count: 4))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4 && lines.last?.contains("burst 2") == true)
    }

    /// A backlog of many chunks — single events and bursts of every size, from several threads at
    /// once — reaches the file whole, each thread's events in their order, and equals the history.
    @Test func aBacklogOfManyChunksIsStreamedWholeAndInOrder() throws {
        let path = NSTemporaryDirectory() + "fl-history-backlog-\(UUID().uuidString).jsonl"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let history = History(sink: sink, clock: { .seconds(1) })
        let threads = 4
        let perThread = HistoryWriter.chunkSize * 5 + 17
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var sent = 0
            var burst = 0
            while sent < perThread {
                // 1, 2, … 40 events at a time, and one burst bigger than a chunk.
                let size = min(perThread - sent, burst == 7 ? HistoryWriter.chunkSize + 3 : burst % 40 + 1)
                let kinds = (sent..<sent + size).map { EventKind.note(message: "\(thread) \($0)") }
                if size == 1 { history.record(kinds[0]) } else { history.record(contentsOf: kinds) }
                sent += size
                burst += 1
            }
        }
        history.flush()
        try sink.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == threads * perThread)
        let messages = try lines.map { line -> String in
            guard case .note(let message) = try JSONDecoder().decode(Event.self, from: Data(line.utf8)).kind else { return "" }
            return message
        }
        #expect(messages == history.events.map { event -> String in
            if case .note(let message) = event.kind { return message }
            return ""
        })
        for thread in 0..<threads {
            let mine = messages.filter { $0.hasPrefix("\(thread) ") }
            #expect(mine == (0..<perThread).map { "\(thread) \($0)" })
        }
    }
}
