/// The one source of randomness behind every seeded decision (a packet dropped, a DNS answer
/// hijacked), so a scenario's seed replays the same run on every machine.
///
/// xoshiro256** seeded through SplitMix64: a few nanoseconds per draw on the packet path and a
/// well-studied stream. Not for cryptography.
///
/// **Stream derivation**, the one rule every caller follows: a stream is named by its parts (a
/// fault's name, then whatever else tells its decisions apart, such as the two hosts of a directed
/// pair). Its state is SplitMix64 seeded with `seed XOR FNV-1a-64(parts joined by NUL)`. Adding a
/// fault therefore never shifts the decisions of another, and two pairs never share a stream.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// The stream named by `parts` under the scenario's `seed`.
    public init(seed: UInt64, stream parts: String...) {
        self.init(seed: seed, stream: parts)
    }

    /// The stream named by `parts` under the scenario's `seed`.
    public init(seed: UInt64, stream parts: [String]) {
        self.init(state: seed ^ Self.fnv1a(parts.joined(separator: "\u{0}")))
    }

    /// A stream from a raw 64-bit state, for tests and benchmarks that need no name.
    public init(state: UInt64) {
        var sm = state
        s0 = Self.splitMix(&sm)
        s1 = Self.splitMix(&sm)
        s2 = Self.splitMix(&sm)
        s3 = Self.splitMix(&sm)
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}
