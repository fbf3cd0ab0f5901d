import FaultlineCore
import Foundation
@testable import Observer
import Testing

/// Seeded mutation fuzzing of the HTTP parser and the packet path (decoders, tracker, parser):
/// any bytes, never a crash, and the counters stay consistent. 200k inputs each run; set
/// `FAULTLINE_FUZZ=1` for a million of each. A failure prints its seed and input number, so
/// the input can be rebuilt and kept in ``NastyInputTests``.
@Suite struct FuzzTests {
    static let scale = ProcessInfo.processInfo.environment["FAULTLINE_FUZZ"] == "1" ? 5 : 1
    static let seed: UInt64 = 0x5EED_F00D

    static let httpSeeds: [(HTTPStreamParser.Role, String)] = [
        (.requests, "GET /v1/kv/a?index=3&wait=5s HTTP/1.1\r\nHost: consul\r\nX-Consul-Token: t\r\n\r\n"),
        (.requests, "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /y HTTP/1.1\r\n\r\n"),
        (.requests, "PUT /k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;a=b\r\nabcd\r\n0\r\nT: 1\r\n\r\n"),
        (.responses, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 429 Too Many\r\nRetry-After: 1\r\n\r\n"),
        (.responses, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1f\r\n0123456789012345678901234567890\r\n0\r\n\r\n"),
        (.responses, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 503 Unavailable\r\n\r\nbody until close"),
    ]

    @Test func theHTTPParserSurvivesMutatedStreams() {
        var rng = SeededRandom(state: Self.seed)
        let count = 120_000 * Self.scale
        for n in 0..<count {
            let (role, text) = Self.httpSeeds[Int(rng.next() % UInt64(Self.httpSeeds.count))]
            let input = Mutator.mutate(Array(text.utf8), rng: &rng, dictionary: Mutator.httpTokens)
            var parser = HTTPStreamParser(role: role)
            var offset = 0
            while offset < input.count {
                let size = min(input.count - offset, 1 + Int(rng.next() % 64))
                input[offset..<offset + size].withUnsafeBytes { bytes in
                    parser.feed(bytes, at: Int64(n)) { _, _ in rng.next() % 8 == 0 ? .noBody : .body }
                }
                offset += size
                if rng.next() % 50 == 0 { parser.skip(Int(rng.next() % 100)) }
            }
            parser.finish()
            if parser.unparsedBytes > input.count {
                Issue.record("seed \(Self.seed) input \(n): \(parser.unparsedBytes) unparsed of \(input.count)")
                return
            }
        }
    }

    @Test func thePacketPathSurvivesMutatedFrames() {
        var rng = SeededRandom(state: Self.seed ^ 0xF00)
        let seeds = Self.packetSeeds()
        let analyzer = TrafficAnalyzer(hostNames: PacketBuilder.names) { _, _ in }
        let count = 100_000 * Self.scale
        for n in 0..<count {
            let (linkType, frame) = seeds[Int(rng.next() % UInt64(seeds.count))]
            let input = rng.next() % 4 == 0 ? frame : Mutator.mutate(frame, rng: &rng, dictionary: [])
            input.withUnsafeBytes { analyzer.process($0, linkType: linkType, at: Int64(n)) }
            if n % 10_000 == 0 { analyzer.expireIdle(now: Int64(n)) }
        }
        analyzer.finish()
        let c = analyzer.counters
        #expect(c.frames == count)
        #expect(c.tcpSegments + c.udpDatagrams + c.otherIPv4 + c.notIPv4 + c.outgoingSkipped + c.malformedFrames == count)
        #expect(analyzer.trackedConnections == 0)
    }

    /// A conversation's frames (handshake, request, response, FIN) plus UDP, in several link types.
    static func packetSeeds() -> [(Int32, [UInt8])] {
        typealias B = PacketBuilder
        let tcp: [[UInt8]] = [
            B.tcp(seq: 100, .syn),
            B.tcp(from: B.server, 80, to: B.client, 40000, seq: 500, ack: 101, [.syn, .ack]),
            B.tcp(seq: 101, ack: 501, .ack),
            B.tcp(seq: 101, ack: 501, [.psh, .ack], Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)),
            B.tcp(from: B.server, 80, to: B.client, 40000, seq: 501, ack: 128, [.psh, .ack], Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)),
            B.tcp(seq: 128, ack: 539, [.fin, .ack]),
            B.tcp(from: B.server, 80, to: B.client, 40000, seq: 539, ack: 129, [.rst]),
            B.udp(payload: Array("query".utf8)),
        ]
        let sll = tcp.map { (Int32(113), $0) }
        let raw = tcp.map { (Int32(12), Array($0.dropFirst(16))) }
        let ethernet = tcp.map { (Int32(1), [UInt8](repeating: 2, count: 12) + [0x08, 0x00] + $0.dropFirst(16)) }
        return sll + raw + ethernet
    }
}

/// Byte-level mutations in the manner of libFuzzer: flips, inserts, deletes, repeats,
/// truncations, interesting values and dictionary tokens.
enum Mutator {
    /// Feeds a conversation's two directions (0: client, 1: server) in random interleaved chunks
    /// of 1…`maxChunk` bytes, as segments would arrive; `after` runs after each chunk.
    static func interleave(
        _ inputs: [[UInt8]], maxChunk: Int, rng: inout SeededRandom,
        feed: (Int, UnsafeRawBufferPointer, Int64) -> Void, after: (Int, inout SeededRandom) -> Void = { _, _ in }
    ) {
        var offsets = [0, 0]
        var t: Int64 = 0
        while offsets[0] < inputs[0].count || offsets[1] < inputs[1].count {
            let side = offsets[0] >= inputs[0].count ? 1 : offsets[1] >= inputs[1].count ? 0 : Int(rng.next() % 2)
            let size = min(inputs[side].count - offsets[side], 1 + Int(rng.next() % UInt64(maxChunk)))
            t += 1
            inputs[side][offsets[side]..<offsets[side] + size].withUnsafeBytes { feed(side, $0, t) }
            offsets[side] += size
            after(side, &rng)
        }
    }

    static let httpTokens: [[UInt8]] = [
        "\r\n", "\r\n\r\n", "\n", ":", " ", "HTTP/1.1", "Content-Length: ", "Transfer-Encoding: chunked\r\n",
        "-1", "99999999999999999999", "ffffffffffffffff", "0\r\n\r\n", ";", "\0", "\u{FF}", "GET ", "HTTP/1.1 101 ",
    ].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], rng: inout SeededRandom, dictionary: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 8 {
            case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << (rng.next() % 8))
            case 1 where !bytes.isEmpty: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
            case 3 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(rng.next() % 16)))
            case 4: bytes = Array(bytes.prefix(at))
            case 5 where !bytes.isEmpty: bytes[at] = [0x00, 0x7F, 0x80, 0xFF][Int(rng.next() % 4)]
            case 6 where !dictionary.isEmpty: bytes.insert(contentsOf: dictionary[Int(rng.next() % UInt64(dictionary.count))], at: at)
            default:
                let chunk = bytes[at..<min(bytes.count, at + Int(rng.next() % 32))]
                bytes.insert(contentsOf: chunk, at: at)
            }
        }
        return bytes
    }
}
