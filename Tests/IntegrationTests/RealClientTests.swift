import Foundation
import Glibc
import Testing

/// The client-behaviour checks proved against real clients nobody here wrote, measured from the
/// wire: curl's and urllib3's documented backoff, Retry-After, and a client that storms.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"), .serialized)
struct RealClientTests {
    typealias Run = RunCommandTests

    /// An API stand-in that answers 503 (optionally with Retry-After) for the whole run, and a
    /// client command started 1 s in; `expect` is the scenario's `expect:` list.
    static func scenario(client: String, retryAfter: String? = nil, duration: String = "10s", expect: String) -> String {
        let respond = retryAfter.map { "{ status: 503, retry-after: \($0) }" } ?? "{ status: 503 }"
        return """
            scenario: real-client
            duration: \(duration)
            hosts:
              api:
                service: http
                port: 8080
                routes: [{ path: /, respond: { status: 200, body: ok } }]
              client: { run: "sleep 1; \(client); sleep 60" }
            faults:
              - name: unavailable
                at: 0s
                http: { target: api, match: { path: "/*" }, respond: \(respond) }
            expect:
            \(expect)
            """
    }

    static func retriesEvidence(_ report: [String: Any]) -> (verdict: String?, summary: String, gaps: String) {
        let e = (report["expectations"] as? [[String: Any]])?.first
        let evidence = e?["evidence"] as? [String: Any]
        return (e?["verdict"] as? String, e?["summary"] as? String ?? "", evidence?["gaps"] as? String ?? "")
    }

    @Test(arguments: [
        // curl --retry 3 against a 503: 1, 2, 4 s; with Retry-After: 2, 2, 2, 2 s.
        (nil as String?, "[1s, 2s, 4s]"),
        ("2" as String?, "[2s, 2s, 2s]"),
    ])
    func curlRetriesAreMeasuredWithinTwentyMilliseconds(retryAfter: String?, gaps: String) throws {
        let dir = try Run.workspace(["s.yaml": Self.scenario(
            client: "curl -s -o curl.out --retry 3 http://api:8080/", retryAfter: retryAfter,
            expect: "  - { name: curl backs off, retries: { from: client, to: api, count: \"== 3\", gaps: \(gaps), tolerance: 20ms } }")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Run.faultline(["run", "s.yaml", "--reports", "reports", "--quiet"], in: dir)
        let report = try Run.report(in: dir)
        let (verdict, summary, measured) = Self.retriesEvidence(report)
        #expect(run.status == 0, "\(summary) — gaps \(measured)")
        #expect(verdict == "pass")
        #expect(measured.split(separator: " ").count == 3)
        print("curl --retry 3 (Retry-After: \(retryAfter ?? "none")): measured gaps \(measured)")
    }

    @Test func aWrongExpectationAboutCurlFails() throws {
        let dir = try Run.workspace(["s.yaml": Self.scenario(
            client: "curl -s -o curl.out --retry 3 http://api:8080/",
            expect: "  - { name: curl backs off, retries: { from: client, to: api, gaps: [1s, 1s, 1s], tolerance: 20ms } }")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Run.faultline(["run", "s.yaml", "--reports", "reports", "--quiet"], in: dir)
        #expect(run.status == 1)
        let (verdict, summary, _) = Self.retriesEvidence(try Run.report(in: dir))
        #expect(verdict == "fail")
        #expect(summary.contains("retry 2 waited 2"), "\(summary)")
    }

    @Test func urllib3RetryBacksOffZeroThenPointFourThenPointEight() throws {
        let python = """
            python3 -c 'import requests; from requests.adapters import HTTPAdapter; from urllib3.util.retry import Retry; s = requests.Session(); s.mount(\\"http://\\", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.2, status_forcelist=[503], raise_on_status=False))); print(s.get(\\"http://api:8080/\\").status_code)'
            """
        let dir = try Run.workspace(["s.yaml": Self.scenario(
            client: python, duration: "6s",
            expect: "  - { name: urllib3 backs off, retries: { from: client, to: api, count: \"== 3\", gaps: [0s, 400ms, 800ms], tolerance: 20ms } }")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Run.faultline(["run", "s.yaml", "--reports", "reports", "--quiet"], in: dir)
        let (verdict, summary, measured) = Self.retriesEvidence(try Run.report(in: dir))
        #expect(run.status == 0, "\(summary) — gaps \(measured)\n\(run.stderr)")
        #expect(verdict == "pass")
        print("urllib3 Retry(backoff_factor=0.2): measured gaps \(measured)")
    }

    /// A client that polls every 0.5 s but retries failures at once, and one that waits: refused
    /// connections (a `reset` partition) turn the first into a storm, which no-storm catches.
    @Test(arguments: [(true, 1 as Int32), (false, 0 as Int32)])
    func noStormCatchesAClientThatRetriesInstantly(instant: Bool, exitCode: Int32) throws {
        let loop = instant
            ? "while :; do curl -s -m 1 -o /dev/null http://api:8080/ && sleep 0.5; done"
            : "while :; do curl -s -m 1 -o /dev/null http://api:8080/; sleep 0.5; done"
        let yaml = """
            scenario: storm
            duration: 6s
            hosts:
              api: { service: http, port: 8080, routes: [{ path: /, respond: { status: 200, body: ok } }] }
              client: { run: "\(loop)" }
            faults:
              - { name: refused, at: 3s, for: 2s, partition: { between: [client, api], mode: reset } }
            expect:
              - { name: no storm, during: refused, no-storm: { from: client, to: api, factor: 3 } }
            """
        let dir = try Run.workspace(["s.yaml": yaml])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Run.faultline(["run", "s.yaml", "--reports", "reports", "--quiet"], in: dir)
        let e = try #require((try Run.report(in: dir)["expectations"] as? [[String: Any]])?.first)
        #expect(run.status == exitCode, "\(e["summary"] ?? "")")
        if instant { #expect((e["summary"] as? String)?.hasPrefix("retry storm") == true) }
    }
}
