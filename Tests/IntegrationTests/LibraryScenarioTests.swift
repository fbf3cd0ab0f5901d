import Foundation
import Testing

/// The incident library (`scenarios/library/`) through the real binary: every correct client passes,
/// every broken one fails — and fails on the expectations that name its misbehaviour — so each run
/// exits 0 because its verdict is the one the scenario declares (`expect-verdict:`).
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"), .serialized)
struct LibraryScenarioTests {
    static let library = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios/library")

    /// A library scenario and the expectations its client must fail (none for a correct client).
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var failing: [String]
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "consul-kv-status-codes.yaml", failing: []),
        Case(file: "consul-kv-status-codes-broken.yaml", failing: [
            "honours Retry-After on 429", "no retry storm while rate-limited", "circuit opens after three 500s",
            "serves from cache on 503",
        ]),
        Case(file: "auto-healing-http.yaml", failing: []),
        Case(file: "auto-healing-http-broken.yaml", failing: ["switches back to the primary"]),
        Case(file: "dns-nxdomain.yaml", failing: []),
        Case(file: "dns-nxdomain-broken.yaml", failing: ["does not storm the resolver", "calls do not stop during the incident"]),
        Case(file: "noisy-neighbour-health.yaml", failing: []),
        Case(file: "noisy-neighbour-health-misconfigured.yaml", failing: ["health checks answer within the 1 s timeout"]),
    ]

    @Test(arguments: cases)
    func verdictIsAsDesigned(_ c: Case) throws {
        let dir = try RunCommandTests.workspace([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = Self.library.appendingPathComponent(c.file).path
        let run = try RunCommandTests.faultline(["run", file, "--reports", "reports", "--quiet"], in: dir)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let report = try RunCommandTests.report(in: dir)
        let expectations = try #require(report["expectations"] as? [[String: Any]])
        let verdicts = Dictionary(uniqueKeysWithValues: expectations.compactMap { e in
            (e["expectation"] as? String).map { ($0, e["verdict"] as? String ?? "") }
        })
        if c.failing.isEmpty {
            #expect(report["verdict"] as? String == "pass", "\(run.stdout)")
            #expect(verdicts.values.allSatisfy { $0 == "pass" }, "\(verdicts)")
        } else {
            #expect(report["verdict"] as? String == "fail", "\(run.stdout)")
            #expect(run.stdout.contains("verdict: FAIL, as expected"), "\(run.stdout)")
            for name in c.failing {
                #expect(verdicts[name] == "fail", "\(name): \(verdicts)\n\(run.stdout)")
            }
        }
    }
}
