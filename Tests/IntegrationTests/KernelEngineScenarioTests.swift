import Foundation
import Testbed
import Testing

/// Library scenarios played by the kernel's own engines — netem for link faults, cgroup v2
/// `cpu.max` for CPU caps, netfilter REJECT for partition reject/reset — judged exactly as on
/// the userspace engines: every correct client passes, every broken one fails as designed, and
/// each fault's report names the kernel engine that played it.
@Suite(.serialized, .enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"),
       .enabled(if: NetemProbe.available && CgroupSupport.isV2,
                "needs netem and the cgroup v2 cpu controller (scripts/test.sh runs this suite in the guest kernel)"))
struct KernelEngineScenarioTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var verdict: String
        /// Fault name → the engine its report must name (a prefix of it).
        var engines: [String: String]
        var testDescription: String { file }
    }

    static let cases = [
        Case(file: "library/consul-kv-writes.yaml", verdict: "pass", engines: ["latency": "netem", "refused": "iptables"]),
        Case(file: "library/consul-kv-writes-broken.yaml", verdict: "fail", engines: ["latency": "netem"]),
        Case(file: "library/noisy-neighbour-health.yaml", verdict: "pass", engines: ["starved": "cgroup-v2"]),
        Case(file: "library/noisy-neighbour-health-misconfigured.yaml", verdict: "fail", engines: ["starved": "cgroup-v2"]),
        Case(file: "partition-modes.yaml", verdict: "pass", engines: ["rejected": "iptables", "refused": "iptables"]),
    ]

    @Test(arguments: cases)
    func scenarioIsJudgedAsDesignedOnTheKernelEngines(_ c: Case) throws {
        let dir = try RunCommandTests.workspace([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = LibraryScenarioTests.scenarios.appendingPathComponent(c.file).path
        let run = try RunCommandTests.faultline(["run", file, "--reports", "reports", "--quiet"], in: dir)
        let report = try RunCommandTests.report(in: dir)
        if let skipped = report["skipped"] as? String { try Test.cancel(Comment(rawValue: "\(c.file) was skipped: \(skipped)")) }
        #expect(report["verdict"] as? String == c.verdict, "\(run.stdout)\n\(run.stderr)")
        // A scenario that declares `expect-verdict: fail` exits 0 when it fails as designed.
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let engines = report["engines"] as? [String: String] ?? [:]
        for (fault, engine) in c.engines {
            #expect(engines[fault]?.hasPrefix(engine) == true, "\(fault): engine \(engines[fault] ?? "none"), expected \(engine)")
        }
        // The report says which kernel judged it.
        let machine = report["machine"] as? [String: Any] ?? [:]
        #expect((machine["kernel"] as? String)?.isEmpty == false)
        if ProcessInfo.processInfo.environment["FAULTLINE_GUEST_KERNEL"] != nil { #expect(machine["guest"] is String) }
    }
}
