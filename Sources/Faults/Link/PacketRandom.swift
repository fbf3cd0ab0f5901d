/// The userspace engine's random numbers: xoshiro256** seeded through SplitMix64, so a scenario
/// seed and a pair give the same stream on every run and every machine.
///
/// Not for cryptography; chosen for speed (a few ns per draw) and a well-studied stream.
public struct PacketRandom: Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A stream for one directed pair of one fault: `seed` mixed with the names, so two pairs
    /// (or two faults) never share a stream.
    public init(seed: UInt64, fault: String, from: String, to: String) {
        self.init(seed: seed ^ Self.fnv1a("\(fault)\u{0}\(from)\u{0}\(to)"))
    }

    public init(seed: UInt64) {
        var sm = seed
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
