import FaultlineCore
import Foundation
@testable import Observer
import RunHistory
import Testing

/// Seeded mutation fuzzing of the HTTP/2 path (frame parser, header blocks, HPACK, streams, gRPC
/// trailers): any bytes, cut anywhere, with gaps and uncaptured runs, never a crash, and every
/// answer names a request seen before. 200k inputs each run; `FAULTLINE_FUZZ=1` for a million.
@Suite struct H2FuzzTests {
    static let seed: UInt64 = 0x5EED_0002

    /// Conversations to mutate: (client bytes, server bytes).
    static func seeds() -> [([UInt8], [UInt8])] {
        var b = H2Bytes()
        let grpcClient = H2Bytes.preface + H2Bytes.settings([(1, 8192)])
            + b.headers(H2Bytes.request("/kv.KV/Get", grpc: true), client: true, stream: 1)
            + H2Bytes.data(stream: 1, [0, 0, 0, 0, 2, 8, 1], end: true)
            + b.headers(H2Bytes.request("/kv.KV/Put", grpc: true), client: true, stream: 3, end: true) + H2Bytes.settingsAck
        let grpcServer = H2Bytes.settings([(1, 4096)]) + H2Bytes.settingsAck
            + b.headers([(":status", "200"), ("content-type", "application/grpc")], client: false, stream: 1)
            + H2Bytes.data(stream: 1, [0, 0, 0, 0, 0])
            + b.headers([("grpc-status", "14"), ("grpc-message", "a%20b"), ("grpc-retry-pushback-ms", "100")], client: false, stream: 1, end: true)
            + b.headers([(":status", "200"), ("grpc-status", "8")], client: false, stream: 3, end: true)
            + H2Bytes.goaway(last: 3, code: 0)
        var c = H2Bytes()
        let block = c.block(H2Bytes.request("/x/" + String(repeating: "y", count: 40)), client: true)
        let plainClient = H2Bytes.preface + H2Bytes.settings()
            + H2Bytes.frame(H2Frame.Kind.headers, flags: H2Frame.Flag.padded | H2Frame.Flag.priority, stream: 1, [3, 0, 0, 0, 0, 9] + block[..<12] + [0, 0, 0])
            + H2Bytes.frame(H2Frame.Kind.continuation, flags: H2Frame.Flag.endHeaders, stream: 1, Array(block[12...]))
            + H2Bytes.rst(stream: 1, code: 8)
            + H2Bytes.frame(H2Frame.Kind.ping, stream: 0, [1, 2, 3, 4, 5, 6, 7, 8])
            + H2Bytes.frame(H2Frame.Kind.windowUpdate, stream: 0, [0, 0, 1, 0])
        let plainServer = H2Bytes.settings() + c.headers([(":status", "503"), ("retry-after", "1")], client: false, stream: 1)
            + H2Bytes.data(stream: 1, [UInt8](repeating: 0x41, count: 50), end: true)
        return [(grpcClient, grpcServer), (plainClient, plainServer)]
    }

    @Test func theHTTP2PathSurvivesMutatedConversations() {
        var rng = SeededRandom(state: Self.seed)
        let seeds = Self.seeds()
        let count = 200_000 * FuzzTests.scale
        let label = ConnectionLabel(connection: 1, client: "c", server: "s", port: 80)
        for n in 0..<count {
            let (client, server) = seeds[Int(rng.next() % UInt64(seeds.count))]
            let tokens = [H2FrameParser.preface, H2Bytes.settingsAck, [0, 0, 0, 1, 4, 0, 0, 0, 1], [0x82, 0x84, 0x86], [0x3F, 0xE1, 0x1F]]
            let inputs = [client, server].map { rng.next() % 5 == 0 ? $0 : Mutator.mutate($0, rng: &rng, dictionary: tokens) }
            var connection = H2Connection(label: label, ids: ExchangeCounter())
            var requests = Set<Int>()
            var bad: String?
            let emit = { (kind: EventKind, _: Int64) in
                switch kind {
                case .httpRequest(let r): requests.insert(r.exchange)
                case .httpResponse(let r): if !requests.contains(r.exchange) { bad = "an answer to no request" }
                default: break
                }
            }
            Mutator.interleave(inputs, maxChunk: 48, rng: &rng) { side, bytes, t in
                connection.feed(bytes, from: side == 0 ? .client : .server, at: t, emit: emit)
            } after: { side, rng in
                switch rng.next() % 200 {
                case 0: connection.skip(Int(rng.next() % 64), from: side == 0 ? .client : .server, emit: emit)
                case 1: connection.lost(from: side == 0 ? .client : .server, emit: emit)
                default: break
                }
            }
            connection.finish(emit: emit)
            if let bad {
                Issue.record("seed \(Self.seed) input \(n): \(bad)")
                return
            }
        }
    }
}
