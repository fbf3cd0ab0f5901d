import FaultlineCore
@testable import Observer
import RunHistory
import Testing

/// Seeded mutation fuzzing of the TLS handshake path (records, hellos, the watcher): any bytes,
/// cut anywhere, with capture gaps, never a crash, and the steps always a handshake's: each hello
/// at most once, one end at most (completed or an alert), nothing after it, a loss said once.
/// 200k inputs each run; `FAULTLINE_FUZZ=1` for a million.
@Suite struct TLSFuzzTests {
    static let seed: UInt64 = 0x5EED_0003

    static func seeds() -> [([UInt8], [UInt8])] {
        [TLSHandshakeTests.tls13, TLSHandshakeTests.tls12].map { flights in
            (flights.filter { $0.0 == .client }.flatMap(\.1), flights.filter { $0.0 == .server }.flatMap(\.1))
        } + [(TLSBytes.clientHello(), TLSBytes.serverHello(version: 0x0304, retry: true) + TLSBytes.alert(40))]
    }

    @Test func theTLSPathSurvivesMutatedHandshakes() {
        var rng = SeededRandom(state: Self.seed)
        let seeds = Self.seeds()
        let label = ConnectionLabel(connection: 1, client: "c", server: "s", port: 443)
        let tokens: [[UInt8]] = [[22, 3, 3], [23, 3, 3, 0, 19], [21, 3, 3, 0, 2, 2, 48], [20, 3, 3, 0, 1, 1], [0, 43, 0, 2, 3, 4], [0x0A, 0x0A]]
        for n in 0..<(200_000 * FuzzTests.scale) {
            let (client, server) = seeds[Int(rng.next() % UInt64(seeds.count))]
            let inputs = [client, server].map { rng.next() % 5 == 0 ? $0 : Mutator.mutate($0, rng: &rng, dictionary: tokens) }
            var connection = TLSConnection(label: label)
            var steps: [TLSStep.Kind] = []
            var losses = 0
            let emit = { (kind: EventKind, _: Int64) in
                guard case .connection(let c) = kind else { return }
                if let step = c.tls?.step { steps.append(step) }
                if c.undecoded != nil { losses += 1 }
            }
            Mutator.interleave(inputs, maxChunk: 64, rng: &rng) { side, bytes, t in
                connection.feed(bytes, from: side == 0 ? .client : .server, at: t, emit: emit)
            } after: { side, rng in
                if rng.next() % 300 == 0 { connection.lost(from: side == 0 ? .client : .server, emit: emit) }
            }
            let ends = steps.filter { $0 == .completed || $0 == .alert }
            var bad: String?
            if steps.filter({ $0 == .clientHello }).count > 1 || steps.filter({ $0 == .serverHello }).count > 1 { bad = "a hello read twice" }
            if ends.count > 1 || (ends.count == 1 && steps.last != ends[0]) { bad = "steps after the handshake ended: \(steps)" }
            if losses > 1 { bad = "the loss said \(losses) times" }
            if let bad {
                Issue.record("seed \(Self.seed) input \(n): \(bad)")
                return
            }
        }
    }
}
