import Foundation
import Testing

/// The scenarios folder run the way a nightly job runs it — `faultline run scenarios/`, one suite of
/// every example and every incident of the library — and then judged scenario by scenario: every
/// correct client passes, every broken one fails, and fails on the expectations that name its
/// misbehaviour, so the suite exits 0 because each verdict is the one its scenario declares
/// (`expect-verdict:`). The folder runs once; each case below reads its scenario's report from it.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"), .serialized)
struct LibraryScenarioTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios")
    static let library = scenarios.appendingPathComponent("library")

    /// A library scenario and the expectations its client must fail (none for a correct client).
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var failing: [String]
        var testDescription: String { file }
    }

    /// What one run of the suite left: the command's outcome and each scenario's report, by file name.
    struct Nightly: Sendable {
        struct Run: Sendable {
            var verdict: String
            var expectations: [String: String]
            var skipped: String?
            /// Each host's last lines, by host, for a run whose verdict was not the designed one.
            var notAsDesigned: String?
        }
        var status: Int32
        var output: String
        var runs: [String: Run]
        var suiteFiles: [String]
        /// `suite.json`'s verdict and summary: runs counted by their designed verdict.
        var suiteVerdict: String
        var suiteSummary: String
    }

    /// The one suite run every case reads (Swift runs a static's initializer once, on first use).
    static let nightly: Result<Nightly, RunnerTestError> = {
        do {
            let dir = try RunCommandTests.workspace([:])
            defer { try? FileManager.default.removeItem(at: dir) }
            let run = try RunCommandTests.faultline(["run", scenarios.path, "--reports", "reports", "--quiet"], in: dir)
            let reports = dir.appendingPathComponent("reports")
            let files = FileManager.default.enumerator(at: reports, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []
            var runs: [String: Nightly.Run] = [:]
            for file in files where file.lastPathComponent == "report.json" {
                guard let report = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any],
                    let scenario = report["scenario"] as? [String: Any], let path = scenario["file"] as? String
                else { continue }
                let expectations = report["expectations"] as? [[String: Any]] ?? []
                let verdict = report["verdict"] as? String ?? ""
                let designed = scenario["expectedVerdict"] as? String ?? "pass"
                let hosts = report["hosts"] as? [[String: Any]] ?? []
                let lastLines = hosts.map { h in
                    "  \(h["name"] as? String ?? "?"): " + ((h["lastLines"] as? [String]) ?? []).suffix(12).joined(separator: " | ")
                }
                runs[(path as NSString).lastPathComponent] = Nightly.Run(
                    verdict: verdict,
                    expectations: Dictionary(expectations.compactMap { e in
                        (e["expectation"] as? String).map { ($0, e["verdict"] as? String ?? "") }
                    }, uniquingKeysWith: { a, _ in a }),
                    skipped: report["skipped"] as? String,
                    notAsDesigned: verdict == designed || report["skipped"] != nil ? nil
                        : "\(path): \(verdict), designed \(designed); last lines:\n" + lastLines.joined(separator: "\n"))
            }
            let suite = files.first { $0.lastPathComponent.hasPrefix("suite-") }
            let suiteFiles = suite.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0.path) } ?? []
            let suiteJSON = suite.flatMap { try? Data(contentsOf: $0.appendingPathComponent("suite.json")) }
                .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
            return .success(Nightly(
                status: run.status, output: run.stdout + run.stderr, runs: runs, suiteFiles: suiteFiles.sorted(),
                suiteVerdict: suiteJSON["verdict"] as? String ?? "", suiteSummary: suiteJSON["verdictSummary"] as? String ?? ""))
        } catch {
            return .failure(RunnerTestError("running faultline run scenarios/: \(error)"))
        }
    }()

    /// Clients on Debian's python3-requests (and urllib3), run with /usr/bin/python3.
    static let requestsCases: [Case] = [
        Case(file: "consul-kv-status-codes.yaml", failing: []),
        Case(file: "consul-kv-status-codes-broken.yaml", failing: [
            "honours Retry-After on 429", "no retry storm while rate-limited", "circuit opens after three 500s",
            "serves from cache on 503",
        ]),
        Case(file: "auto-healing-http.yaml", failing: []),
        Case(file: "auto-healing-http-broken.yaml", failing: ["switches back to the primary"]),
        Case(file: "dns-nxdomain.yaml", failing: []),
        Case(file: "dns-nxdomain-broken.yaml", failing: ["does not storm the resolver", "calls do not stop during the incident"]),
    ]

    static let cases: [Case] = [
        Case(file: "noisy-neighbour-health.yaml", failing: []),
        Case(file: "noisy-neighbour-health-misconfigured.yaml", failing: ["health checks answer within the 1 s timeout"]),
    ]

    @Test func theWholeFolderIsOneNightlySuiteGreenExactlyWhenEveryVerdictIsAsDesigned() throws {
        let nightly = try Self.nightly.get()
        let diagnosis = nightly.runs.values.compactMap(\.notAsDesigned).sorted().joined(separator: "\n")
        #expect(nightly.status == 0, "\(nightly.output)\n\(diagnosis)")
        // Every scenario file in the folder and its subfolders ran (or was skipped, with its reason).
        let files = FileManager.default.enumerator(at: Self.scenarios, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []
        let names = files.map(\.lastPathComponent).filter { $0.hasSuffix(".yaml") }
        #expect(!names.isEmpty)
        for name in names { #expect(nightly.runs[name] != nil, "\(name) has no report") }
        for (name, run) in nightly.runs where run.skipped != nil { #expect(run.verdict == "unknown", "\(name)") }
        #expect(nightly.suiteFiles.contains("suite.json") && nightly.suiteFiles.contains("junit.xml"), "\(nightly.suiteFiles)")
        // Broken clients failing as designed keep the suite green.
        #expect(nightly.suiteVerdict == "pass", "\(nightly.suiteSummary)")
        #expect(nightly.suiteSummary.contains("failed as designed"), "\(nightly.suiteSummary)")
    }

    @Test(.enabled(if: LibraryPython.hasRequests,
                   "needs python3-requests and python3-urllib3 for /usr/bin/python3 (scripts/setup.sh test installs them)"),
          arguments: requestsCases)
    func requestsVerdictIsAsDesigned(_ c: Case) throws {
        try verdictIsAsDesigned(c)
    }

    @Test(arguments: cases)
    func verdictIsAsDesigned(_ c: Case) throws {
        let nightly = try Self.nightly.get()
        let run = try #require(nightly.runs[c.file], "\(c.file) did not run: \(nightly.output)")
        // A case whose tools are missing is disabled by its trait; a skip here means the scenario's
        // `requires:` and the test's trait disagree.
        #expect(run.skipped == nil, "\(c.file) was skipped: \(run.skipped ?? "")")
        if c.failing.isEmpty {
            #expect(run.verdict == "pass", "\(c.file): \(run.expectations)")
            #expect(run.expectations.values.allSatisfy { $0 == "pass" }, "\(run.expectations)")
        } else {
            #expect(run.verdict == "fail", "\(c.file): \(run.expectations)")
            for name in c.failing {
                #expect(run.expectations[name] == "fail", "\(c.file): \(name): \(run.expectations)")
            }
        }
    }
}
