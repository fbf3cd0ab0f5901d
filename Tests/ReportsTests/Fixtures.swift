import Checks
import FaultlineCore
import Foundation
import Reports
import RunHistory
import ScenarioFormat

/// A hand-built run: partition `split` planned 5 s → 10 s, actually 5.003 s → 10.002 s; probes
/// fail from 5.1 s to 10.3 s and succeed again from 10.4 s; fault `late` fails to apply.
enum Fixtures {
    static func t(_ ms: Int) -> TimeSpan { .milliseconds(Double(ms)) }

    static let scenario = Scenario(
        name: "checkout-survives-partition", seed: 42, duration: .seconds(20),
        hosts: [Host(name: "api", run: "./api --port 8080"), Host(name: "client")],
        faults: [
            Fault(name: "split", at: .seconds(5), duration: .seconds(5), kind: .partition(Partition(
                cuts: [DirectedPair(from: "client", to: "api"), DirectedPair(from: "api", to: "client")]))),
            Fault(name: "late", at: .seconds(15), kind: .partition(Partition(
                cuts: [DirectedPair(from: "client", to: "api")], mode: .reject))),
        ],
        expectations: [
            expectation("down-during-split", Window(during: "split"), "<= 10%"),
            expectation("served-during-split", Window(during: "split"), ">= 99%"),
            expectation("recovers", Window(after: "split", within: .seconds(2)), ">= 99%"),
            ScenarioFormat.Expectation(name: "api-survives", kind: .process(ProcessExpectation(host: "api", running: true))),
            expectation("during-late", Window(during: "late"), ">= 99%"),
        ],
        file: "scenarios/checkout.yaml")

    static func expectation(_ name: String, _ window: Window, _ success: String) -> ScenarioFormat.Expectation {
        ScenarioFormat.Expectation(name: name, window: window, kind: .probe(ProbeExpectation(
            from: "client", target: .http(URLTarget(host: "api", port: 8080, path: "/health")),
            success: RatioRequirement(parsing: success)!)))
    }

    static let history: [Event] = {
        var events: [Event] = [
            Event(t: t(-2_000), .testbedReady(addresses: ["api": "198.18.0.2", "client": "198.18.0.3"])),
            Event(t: t(-1_500), .processStarted(host: "api", pid: 4242, command: "./api --port 8080")),
            Event(t: t(-1_200), .processOutput(host: "api", stream: .stdout, line: "listening on :8080")),
            Event(t: t(-1_000), .hostReady(host: "api", rule: "tcp://api:8080")),
            Event(t: .zero, .timelineStarted),
            Event(t: t(5_003), .faultApplied(fault: "split", planned: t(5_000), engine: "fib-rule", detail: "api⇹client")),
            Event(t: t(6_000), .processOutput(host: "api", stream: .stderr, line: "upstream unreachable, retrying")),
            Event(t: t(10_002), .faultHealed(fault: "split", planned: t(10_000))),
            Event(t: t(15_001), .faultFailed(fault: "late", operation: "adding fib rule", error: "Operation not permitted")),
            Event(t: t(20_000), .timelineEnded),
        ]
        for name in ["down-during-split", "served-during-split", "recovers", "during-late"] {
            events += probes(name, from: 100, through: 4_900, ok: true)
            events += probes(name, from: 5_100, through: 10_300, ok: false)
            events += probes(name, from: 10_400, through: 19_800, ok: true)
        }
        return events.enumerated().sorted { ($0.element.t, $0.offset) < ($1.element.t, $1.offset) }.map(\.element)
    }()

    static func probes(_ name: String, from: Int, through: Int, ok: Bool) -> [Event] {
        stride(from: from, through: through, by: 200).map {
            Event(t: t($0), .probe(
                probe: name, from: "client", target: "http://api:8080/health", ok: ok,
                latency: ok ? t(12) : t(1_000), detail: ok ? "200" : "timeout"))
        }
    }

    /// The same run stopped by SIGINT at 8 s, while `split` was still applied.
    static let interruptedHistory: [Event] =
        history.filter { $0.t < .seconds(8) } + [Event(t: .seconds(8), .interrupted(signal: "SIGINT"))]

    static let context = ReportContext(
        runID: "7f1a2b", startedAt: Date(timeIntervalSince1970: 1_795_000_000),
        machine: MachineFacts(kernel: "6.8.0-45-generic", capabilities: ["cgroup": "v2"]),
        engines: ["late": "fib-rule"],
        durations: ReportDurations(setup: .seconds(1.5), timeline: .seconds(20), teardown: .milliseconds(250)))

    static func report(history: [Event] = history, context: ReportContext = context) -> RunReport {
        ReportBuilder.build(
            scenario: scenario, history: history,
            // A run that never reached its timeline has nothing judged, as in the runner.
            results: context.setupError == nil ? Checker.evaluate(scenario: scenario, history: history) : [],
            context: context)
    }
}
