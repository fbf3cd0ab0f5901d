import Foundation
import RunHistory
import ScenarioFormat
import Testing

/// Every event kind is one flat JSON object with `t` and `type`, and reads back as it was.
struct EventCodingTests {
    static let samples: [EventKind] = [
        .testbedReady(addresses: ["api": "198.18.0.2"]),
        .processStarted(host: "api", pid: 42, command: "python3 -m http.server"),
        .processOutput(host: "api", stream: .stderr, line: "serving"),
        .processExited(host: "api", pid: 42, status: .signaled(15)),
        .hostReady(host: "api", rule: "tcp://api:8080"),
        .timelineStarted,
        .faultApplied(fault: "split", planned: .seconds(5), engine: "fib-rule", detail: "ip rule add …"),
        .faultHealed(fault: "split", planned: .seconds(10)),
        .faultFailed(fault: "split", operation: "applying partition", error: "EPERM"),
        .probe(probe: "p", from: "client", target: "http://api:8080/", ok: false, latency: .seconds(1), detail: "timeout after 1s"),
        .connection(ConnectionEvent(connection: 3, from: "client", to: "api", sourcePort: 40000, port: 8080, phase: .refused)),
        .httpRequest(HTTPRequestEvent(exchange: 9, connection: 3, from: "client", to: "api", port: 8080, method: "GET", path: "/v1/kv/x", headers: ["x-consul-token": "t"], via: "wire")),
        .httpResponse(HTTPResponseEvent(exchange: 9, connection: 3, from: "client", to: "api", status: 429, retryAfter: "1", latency: .milliseconds(2), via: "wire", fault: "rate-limited")),
        .captureStats(CaptureStats(received: 100, dropped: 0, interfaceDropped: 0, unparsed: 2)),
        .timelineEnded,
        .interrupted(signal: "SIGINT"),
        .note(message: "hello"),
    ]

    @Test(arguments: samples)
    func roundTripsThroughOneFlatJSONObject(kind: EventKind) throws {
        let event = Event(t: .milliseconds(1500), kind)
        let data = try JSONEncoder().encode(event)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["type"] as? String == event.type)
        #expect(object["t"] as? Double == 1.5)
        // No nesting: every value is a scalar, a list or a plain map of strings.
        #expect(!object.values.contains { $0 is [String: [String: Any]] })
        #expect(try JSONDecoder().decode(Event.self, from: data) == event)
    }

    @Test func startingTheTimelineMovesSetupEventsToNegativeTimes() throws {
        let clock = RunClock()
        let history = History(clock: { clock.now() })
        history.record(.note(message: "setup"))
        usleep(20_000)
        history.startTimeline(on: clock)
        let events = history.events
        #expect(events[0].t < .zero)
        #expect(events[0].t <= .milliseconds(-19))
        #expect(events[1].t == .zero)
        #expect(events[1].kind == .timelineStarted)
    }
}
