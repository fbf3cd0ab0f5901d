import Foundation
import Testing

/// Real clients whose calls the observer cannot read — curl over a TLS handshake that completed, curl speaking HTTP/2 with
/// prior knowledge to a server that answers in HTTP/1 — judged from the wire: the expectation is
/// unknown, naming why, never a pass.
@Suite(.serialized, .enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct UndecodedTrafficTests {
    @Test(arguments: [
        ("tls", TLSTrafficTests.server(), "tcp://api:8443", "curl -sk -o /dev/null https://api:8443/",
         "TLS: the handshake completed (TLS 1.3); the calls inside are encrypted"),
        ("h2", "exec python3 -m http.server 8080", "tcp://api:8080", "curl -s -o /dev/null --http2-prior-knowledge http://api:8080/",
         "the server did not answer in HTTP/2"),
    ])
    func aClientTheObserverCannotReadIsJudgedUnknown(name: String, server: String, ready: String, call: String, reason: String) throws {
        let dir = try RunCommandTests.workspace([
            "s.yaml": """
                scenario: undecoded-\(name)
                duration: 3s
                hosts:
                  api: { run: '\(server)', ready: "\(ready)" }
                  client: { run: "while :; do \(call); sleep 0.2; done" }
                expect:
                  - name: every call succeeds
                    availability: { from: client, to: api, success: ">= 99%" }
                """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try RunCommandTests.faultline(["run", "s.yaml", "--reports", "reports", "--quiet"], in: dir)
        let report = try RunCommandTests.report(in: dir)
        let expectation = try #require((report["expectations"] as? [[String: Any]])?.first)
        #expect(expectation["verdict"] as? String == "unknown", "\(run.stdout)")
        #expect((expectation["summary"] as? String)?.contains(reason) == true, "\(expectation)")
        #expect(run.status == 1, "an unknown expectation is not a pass")
    }
}
