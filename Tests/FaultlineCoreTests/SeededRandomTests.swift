import FaultlineCore
import Testing

struct SeededRandomTests {
    /// The link engine's streams are the ones `PacketRandom` drew before the generators merged:
    /// these are its first draws for seed 42, fault `f`, pair a → b.
    @Test func aNamedStreamDrawsTheSameNumbersOnEveryMachine() {
        var random = SeededRandom(seed: 42, stream: "f", "a", "b")
        #expect([random.next(), random.next(), random.next()] == [0x68b3_06d4_2b0d_71e4, 0x9d48_7d56_569f_f109, 0x8ffa_0d3e_313b_5f6b])
    }

    @Test func theSameNameReplaysAndAnotherNameDiffers() {
        var a = SeededRandom(seed: 7, stream: "loss", "api", "db")
        var again = SeededRandom(seed: 7, stream: ["loss", "api", "db"])
        var reversed = SeededRandom(seed: 7, stream: "loss", "db", "api")
        var otherSeed = SeededRandom(seed: 8, stream: "loss", "api", "db")
        let first = (0..<16).map { _ in a.next() }
        #expect((0..<16).map { _ in again.next() } == first)
        #expect((0..<16).map { _ in reversed.next() } != first)
        #expect((0..<16).map { _ in otherSeed.next() } != first)
    }

    /// Parts are joined with NUL, so moving a boundary between parts names another stream.
    @Test func partBoundariesAreSignificant() {
        var ab = SeededRandom(seed: 1, stream: "ab", "c")
        var abc = SeededRandom(seed: 1, stream: "a", "bc")
        #expect(ab.next() != abc.next())
    }

    @Test func unitDrawsStayInTheHalfOpenInterval() {
        var random = SeededRandom(state: 0)
        var sum = 0.0
        for _ in 0..<100_000 {
            let u = random.unit()
            #expect(u >= 0 && u < 1)
            sum += u
        }
        #expect(abs(sum / 100_000 - 0.5) < 0.01)
    }
}
