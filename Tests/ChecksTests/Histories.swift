import FaultlineCore
import RunHistory
import ScenarioFormat

/// Hand-built histories: the shapes a real run leaves behind, with round numbers.
enum Histories {
    static func t(_ ms: Int) -> TimeSpan { .milliseconds(Double(ms)) }

    /// Probe attempts named `name` every `every` ms from `from` to `through` inclusive.
    static func probes(
        _ name: String = "reachable", from: Int, through: Int, every: Int = 200, ok: Bool, latencyMS: Int = 12
    ) -> [Event] {
        stride(from: from, through: through, by: every).map {
            Event(t: t($0), .probe(
                probe: name, from: "client", target: "http://api:8080/", ok: ok,
                latency: ok ? t(latencyMS) : t(1000), detail: ok ? "200" : "timeout"))
        }
    }

    /// A partition `split` applied at 5 s and healed at 10 s in a 20 s timeline. Probes every
    /// 200 ms succeed before it, fail from 5.1 s to 10.3 s, and succeed again from 10.4 s on.
    static func partitionAndRecovery(applied: Int = 5_000, healed: Int = 10_000) -> [Event] {
        var events: [Event] = [
            Event(t: t(-2_000), .testbedReady(addresses: ["api": "198.18.0.2", "client": "198.18.0.3"])),
            Event(t: t(-1_500), .processStarted(host: "api", pid: 42, command: "./api")),
            Event(t: t(-1_000), .hostReady(host: "api", rule: "tcp://api:8080")),
            Event(t: .zero, .timelineStarted),
        ]
        events += probes(from: 100, through: 4_900, ok: true)
        events += probes(from: 5_100, through: 10_300, ok: false)
        events += probes(from: 10_400, through: 19_800, ok: true)
        events.append(Event(t: t(applied), .faultApplied(
            fault: "split", planned: t(5_000), engine: "fib-rule", detail: "api⇹client")))
        events.append(Event(t: t(healed), .faultHealed(fault: "split", planned: t(10_000))))
        events.append(Event(t: t(20_000), .timelineEnded))
        return sorted(events)
    }

    /// A host `api` that starts, prints two lines, and (optionally) exits at 15 s.
    static func process(exit status: FaultlineCore.ExitStatus? = nil) -> [Event] {
        var events: [Event] = [
            Event(t: t(-1_500), .processStarted(host: "api", pid: 42, command: "./api")),
            Event(t: t(-500), .processOutput(host: "api", stream: .stdout, line: "listening on :8080")),
            Event(t: .zero, .timelineStarted),
            Event(t: t(6_000), .processOutput(host: "api", stream: .stderr, line: "upstream unreachable, fallback to cache")),
            Event(t: t(20_000), .timelineEnded),
        ]
        if let status { events.append(Event(t: t(15_000), .processExited(host: "api", pid: 42, status: status))) }
        return sorted(events)
    }

    /// Stable by time, so events recorded at the same instant keep their order.
    static func sorted(_ events: [Event]) -> [Event] {
        events.enumerated().sorted { ($0.element.t, $0.offset) < ($1.element.t, $1.offset) }.map(\.element)
    }
}
