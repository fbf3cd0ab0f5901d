import Foundation
import LinuxSystem
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

    /// Unary gRPC calls over h2c to the real server, answered HTTP 200 with grpc-status in the
    /// trailers: a client whose every call ends UNAVAILABLE fails `availability` (the HTTP 200 around
    /// it is no success), and the same calls ending OK pass.
    @Test(.enabled(if: GoExamples.available, "needs Go and golang-golang-x-net-dev (scripts/setup.sh installs them)"),
          .enabled(if: ExternalCommand.locate("h2load") != nil, "needs h2load (nghttp2-client; scripts/setup.sh test installs it)"),
          arguments: [(14, "fail"), (0, "pass")])
    func aGRPCCallIsJudgedByItsStatusNotTheHTTP200(status: Int, verdict: String) throws {
        let server = try GoExamples.build("servers/go/h2c-status").get()
        let folder = URL(fileURLWithPath: server).deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        // One empty message: the compressed flag and a zero length.
        let message = folder.appendingPathComponent("empty.msg")
        try Data([0, 0, 0, 0, 0]).write(to: message)
        // h2load, a real HTTP/2 client: each call ends with the trailers' END_STREAM (curl may close the
        // connection after the message and before the trailers, which is a call without a status).
        let call = "h2load -n 1 -c 1 -H content-type:application/grpc -H x-want-grpc-status:\(status) "
            + "-d \(message.path) http://api:8080/kv.KV/Get >/dev/null"
        let played = try ProcessFaultTests.run("""
            scenario: grpc-calls
            duration: 3s
            hosts:
              api: { run: "\(server) :8080", ready: "tcp://api:8080" }
              client: { run: "while :; do \(call); sleep 0.1; done" }
            expect:
              - name: every call succeeds
                availability: { from: client, to: api, success: ">= 99%" }
            """)
        let answers = played.events.compactMap { if case .httpResponse(let r) = $0.kind, r.via == "wire" { r } else { nil } }
        #expect(answers.count >= 5 && answers.allSatisfy { $0.status == 200 && $0.grpcStatus == status }, "\(answers.prefix(3))")
        let judged = played.expectation("every call succeeds")
        #expect(judged.verdict == verdict, "\(judged)")
        if status != 0 { #expect(judged.summary.contains("UNAVAILABLE"), "the failure names the gRPC code: \(judged.summary)") }
    }
}
