import FaultlineCore
import Faults
import ScenarioFormat
import Testing

struct LinkDeciderTests {
    static func decisions(seed: UInt64, _ fault: LinkFault, count: Int = 2000) -> [PacketDecision] {
        var d = LinkDecider(fault: fault, random: SeededRandom(seed: seed, stream: "f", "a", "b"))
        return (0..<count).map { _ in d.decide(length: 100, payloadOffset: 28) }
    }

    static let lossy = LinkFault(pairs: [], delay: .milliseconds(10), jitter: .milliseconds(5), loss: .random(Percentage(percent: 10)),
                                 duplicate: Percentage(percent: 5), corrupt: Percentage(percent: 5))

    @Test func theSameSeedGivesTheSameDecisionsAndAnotherSeedOthers() {
        #expect(Self.decisions(seed: 1, Self.lossy) == Self.decisions(seed: 1, Self.lossy))
        #expect(Self.decisions(seed: 1, Self.lossy) != Self.decisions(seed: 2, Self.lossy))
    }

    @Test func eachPairHasItsOwnStream() {
        var a = SeededRandom(seed: 1, stream: "f", "a", "b")
        var b = SeededRandom(seed: 1, stream: "f", "b", "a")
        #expect((0..<8).map { _ in a.next() } != (0..<8).map { _ in b.next() })
    }

    @Test func corruptionFlipsAPayloadBitAndDelaysStayWithinUniformJitter() {
        let all = Self.decisions(seed: 3, Self.lossy)
        #expect(all.compactMap(\.corruptBit).allSatisfy { (28 * 8..<100 * 8).contains($0) })
        #expect(all.map(\.delay).allSatisfy { (5_000_000...15_000_000).contains($0) })
        let lost = all.filter(\.drop).count
        #expect((140...260).contains(lost))
    }

    @Test func negativeDelaysAreClampedToZero() {
        let wide = LinkFault(pairs: [], delay: .milliseconds(1), jitter: .milliseconds(50), distribution: .normal)
        let all = Self.decisions(seed: 4, wide)
        #expect(all.allSatisfy { $0.delay >= 0 })
        #expect(all.contains { $0.delay == 0 })
    }

    @Test func reorderSkipsTheDelayOnlyAfterTheGap() {
        let f = LinkFault(pairs: [], delay: .milliseconds(10), reorder: Reorder(percent: Percentage(percent: 100), gap: 3))
        let flags = Self.decisions(seed: 5, f, count: 9).map(\.reordered)
        #expect(flags == [false, false, true, false, false, true, false, false, true])
    }
}
