import Foundation
import RunHistory
import Testing

/// HTTP/2 cleartext between curl and a real h2c server (Go's golang.org/x/net/http2/h2c), both
/// with prior knowledge and after `Upgrade: h2c`, read off the wire: each stream one attempt with
/// its path and status, judged as HTTP/1.1 calls would be.
@Suite(.serialized, .enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct H2CTrafficTests {
    @Test(.enabled(if: GoExamples.available, "needs Go and golang-golang-x-net-dev (scripts/setup.sh installs them)"),
          arguments: [("--http2-prior-knowledge", false), ("--http2", true)])
    func eachStreamIsJudgedWithItsStatus(option: String, upgrade: Bool) throws {
        let server = try GoExamples.build("servers/go/h2c-status").get()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: server).deletingLastPathComponent().path) }
        let call = "curl -s \(option) -o /dev/null"
        let played = try ProcessFaultTests.run("""
            scenario: h2c-streams
            duration: 3s
            hosts:
              api: { run: "\(server) :8080", ready: "tcp://api:8080" }
              client: { run: "while :; do \(call) http://api:8080/status/200; \(call) http://api:8080/status/503; sleep 0.2; done" }
            expect:
              - name: the good path answers
                availability: { from: client, to: api, path: /status/200, success: ">= 99%" }
              - name: the bad path answers 503 every time
                requests: { from: client, to: api, path: /status/503, outcomes: [503], count: ">= 3" }
              - name: nothing else fails
                requests: { from: client, to: api, path: /status/200, outcomes: [connection, 5xx], count: 0 }
            """)
        let responses = played.events.compactMap { if case .httpResponse(let r) = $0.kind, r.via == "wire" { r } else { nil } }
        #expect(responses.filter { $0.stream == 1 && $0.status == 503 }.count >= 3, "each call's stream 1: \(responses.prefix(4))")
        #expect(responses.contains { $0.status == 101 } == upgrade, "a 101 only after Upgrade: h2c")
        #expect(!played.events.contains { if case .connection(let c) = $0.kind { c.undecoded != nil } else { false } })
        for name in ["the good path answers", "the bad path answers 503 every time", "nothing else fails"] {
            let verdict = played.expectation(name)
            #expect(verdict.verdict == "pass", "\(name): \(verdict)")
        }
    }
}
