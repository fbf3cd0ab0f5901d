import Testing
@testable import Observer

@Suite struct StreamReassemblerTests {
    /// Segments (offset from the first data byte, text) in arrival order, and the stream read back.
    static let cases: [(String, [(UInt32, String)], String, Bool)] = [
        ("in order", [(0, "abc"), (3, "def")], "abcdef", false),
        ("retransmission", [(0, "abc"), (0, "abc"), (3, "def")], "abcdef", false),
        ("overlapping retransmission", [(0, "abc"), (1, "bcde")], "abcde", false),
        ("out of order", [(3, "def"), (6, "g"), (0, "abc")], "abcdefg", false),
        ("sequence wrap", [(0, "xy"), (2, "z")], "xyz", false),
    ]

    @Test(arguments: cases)
    func readsTheStreamBackInOrder(name: String, segments: [(UInt32, String)], expected: String, lost: Bool) {
        for isn in [UInt32(100), UInt32.max - 2] {
            var r = StreamReassembler()
            r.start(initialSequence: isn)
            var out: [UInt8] = []
            var sawLoss = false
            for (offset, text) in segments {
                Array(text.utf8).withUnsafeBytes { bytes in
                    r.accept(sequence: isn &+ 1 &+ offset, payload: bytes, deliver: { out += $0 }, lost: { sawLoss = true })
                }
            }
            #expect(String(decoding: out, as: UTF8.self) == expected, "\(name), ISN \(isn)")
            #expect(sawLoss == lost && r.delivered == expected.utf8.count, "\(name)")
        }
    }

    @Test func aGapThatNeverFillsIsJumpedWithinTheMemoryBound() {
        var r = StreamReassembler()
        r.start(initialSequence: 0)
        var lost = 0
        var delivered = 0
        let chunk = [UInt8](repeating: 0x61, count: 1000)
        chunk.withUnsafeBytes { bytes in
            for i in 0..<100 {  // byte 1 never arrives: everything after waits, then the gap is jumped
                r.accept(sequence: 2 + UInt32(i * 1000), payload: bytes, deliver: { delivered += $0.count }, lost: { lost += 1 })
            }
        }
        #expect(lost == 1)
        #expect(delivered > 0)
    }

    @Test func uncapturedBytesAreSkippedInOrder() {
        var r = StreamReassembler()
        r.start(initialSequence: 0)
        var skipped = 0
        var out: [UInt8] = []
        Array("ab".utf8).withUnsafeBytes { r.accept(sequence: 1, payload: $0, uncaptured: 10, deliver: { out += $0 }, skip: { skipped += $0 }, lost: {}) }
        Array("cd".utf8).withUnsafeBytes { r.accept(sequence: 13, payload: $0, deliver: { out += $0 }, lost: {}) }
        #expect(out == Array("abcd".utf8) && skipped == 10 && r.delivered == 14)
    }
}
