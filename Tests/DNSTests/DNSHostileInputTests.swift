@testable import DNS
import FaultlineCore
import Foundation
import ScenarioFormat
import Testing

/// Hostile and malformed packets: a corpus of known-nasty ones, and a seeded mutation fuzzer.
@Suite struct DNSHostileInputTests {
    static let corpusDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    /// Every corpus file: `# why`, `# expect: FORMERR|ignored`, then the packet in hex.
    static func corpus() throws -> [(name: String, bytes: [UInt8], expect: String)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path).filter { $0.hasSuffix(".hex") }.sorted()
        return try files.map { file in
            let text = try String(contentsOf: corpusDirectory.appendingPathComponent(file), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let expect = lines.first { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst("# expect: ".count)) } ?? ""
            let hex = lines.filter { !$0.hasPrefix("#") }.joined(separator: " ").split(separator: " ")
            return (file, hex.map { UInt8($0, radix: 16)! }, expect)
        }
    }

    @Test func everyCorpusPacketIsAnsweredFORMERROrIgnoredAsRecorded() throws {
        let corpus = try Self.corpus()
        #expect(corpus.count >= 20)
        for entry in corpus {
            let (outcome, message) = DNSFixture.respond(entry.bytes)
            switch entry.expect {
            case "ignored": #expect(outcome.response == nil, "\(entry.name)")
            default:
                #expect(message?.rcode == .formErr, "\(entry.name)")
                #expect(message?.header.id == 0xABCD, "\(entry.name)")
            }
            #expect(outcome.malformed, "\(entry.name)")
            // These are well-formed messages, only not queries the server can answer.
            if !["response-not-query.hex", "zero-questions.hex", "two-questions.hex"].contains(entry.name) {
                #expect(throws: DNSWireError.self, "\(entry.name)") { try DNSMessage.decode(entry.bytes) }
            }
        }
    }

    /// 50k mutated inputs always; a million with FAULTLINE_FUZZ=1 (about a minute in a debug build).
    @Test func mutatedPacketsNeverCrashAndEveryAnswerIsWellFormed() throws {
        let count = ProcessInfo.processInfo.environment["FAULTLINE_FUZZ"] == "1" ? 1_000_000 : 50_000
        var fuzzer = DNSMutationFuzzer(seed: 20261121, corpus: try Self.seeds())
        let stats = try fuzzer.run(count: count)
        #expect(stats.inputs == count)
        // The mutations must reach both outcomes, or the fuzzer tests little.
        #expect(stats.answered > count / 20 && stats.malformed > count / 20)
        #expect(stats.badResponses.isEmpty, "responses that do not decode: \(stats.badResponses.prefix(3))")
        #expect(stats.direct > count / 500)
        #expect(stats.directMismatches.isEmpty, "direct replies unlike the general path's: \(stats.directMismatches.prefix(3))")
    }

    static func seeds() throws -> [[UInt8]] {
        var seeds = try corpus().map(\.bytes)
        seeds += ["api", "consul.service.consul", "alias.service.consul", "_api._tcp.service.consul", "big.service.consul"]
            .flatMap { name in [DNSType.a, .aaaa, .srv, .txt].map { DNSFixture.query(name, $0) } }
        seeds.append(DNSFixture.query("api", edns: DNSEDNS(udpPayloadSize: 4096, options: [(code: 10, data: Array(repeating: 7, count: 8))])))
        let compressed = DNSMessage(
            header: DNSHeader(id: 9), questions: [DNSQuestion(name: DNSName("a.service.consul")!, type: .a)],
            answers: [DNSRecord(name: DNSName("b.service.consul")!, ttl: 1, data: .cname(DNSName("c.service.consul")!))])
        seeds.append(try compressed.encode())
        return seeds
    }
}

/// Seeded mutations of valid and nasty packets, fed to the responder (which decodes them).
struct DNSMutationFuzzer {
    struct Stats {
        var inputs = 0
        var answered = 0
        var malformed = 0
        var badResponses: [[UInt8]] = []
        /// Inputs the UDP loop's direct path answered, and those where it differed from the general path.
        var direct = 0
        var directMismatches: [[UInt8]] = []
    }

    var random: SeededRandom
    let corpus: [[UInt8]]
    let responder = DNSResponder(zone: DNSFixture.zone())

    init(seed: UInt64, corpus: [[UInt8]]) {
        random = SeededRandom(state: seed)
        self.corpus = corpus
    }

    mutating func run(count: Int) throws -> Stats {
        var stats = Stats()
        for _ in 0..<count {
            let input = mutate(corpus[Int(random.next() % UInt64(corpus.count))])
            let outcome = input.withUnsafeBytes { responder.respond(to: $0, host: "client", transport: .udp) }
            stats.inputs += 1
            var reply = [UInt8](repeating: 0, count: 4096)
            let direct = input.withUnsafeBytes { q in reply.withUnsafeMutableBytes { responder.answerDirect(q, into: $0) } }
            if let direct {
                stats.direct += 1
                if Array(reply[0..<direct.length]) != outcome.response { stats.directMismatches.append(input) }
            }
            if outcome.malformed { stats.malformed += 1 }
            if let response = outcome.response {
                stats.answered += 1
                if (try? DNSMessage.decode(response)) == nil || response.count > 512 && outcome.malformed {
                    stats.badResponses.append(input)
                }
            }
        }
        return stats
    }

    private mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(random.next() % UInt64(n)) }

    /// One to four mutations: bit flips, random bytes, compression pointers, inserted or cut
    /// bytes, changed counts, or a truncation.
    mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
        var b = seed
        for _ in 0...below(4) {
            switch below(8) {
            case 0 where !b.isEmpty: b[below(b.count)] ^= UInt8(1) << UInt8(below(8))
            case 1 where !b.isEmpty: b[below(b.count)] = UInt8(truncatingIfNeeded: random.next())
            case 2 where b.count > 1:
                let at = below(b.count - 1)
                b[at] = 0xC0 | UInt8(below(4))
                b[at + 1] = UInt8(truncatingIfNeeded: random.next())
            case 3: b.insert(UInt8(truncatingIfNeeded: random.next()), at: below(b.count + 1))
            case 4 where !b.isEmpty: b.remove(at: below(b.count))
            case 5 where b.count >= 12:
                let at = 4 + 2 * below(4)
                b[at] = below(2) == 0 ? 0 : UInt8(truncatingIfNeeded: random.next())
                b[at + 1] = UInt8(truncatingIfNeeded: random.next())
            case 6: b = Array(b.prefix(below(b.count + 1)))
            case 7 where !b.isEmpty: b[below(b.count)] = UInt8(below(2) == 0 ? 63 : 64)
            default: break
            }
        }
        return b
    }
}
