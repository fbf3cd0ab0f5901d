import Foundation
import Testing
@testable import ScenarioFormat

struct ServiceReadingTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios/stand-ins.yaml").path

    @Test func standInsDecodeToExactServicesAndFaults() throws {
        let scenario = try ScenarioReader.read(file: Self.file).get()
        #expect(scenario.host(named: "api")?.service == .http(HTTPServiceSpec(port: 8080, routes: [
            HTTPRoute(path: "/v1/items", respond: HTTPReply(status: 200, body: #"{"items":[]}"#)),
            HTTPRoute(path: "/health", method: "GET",
                      respond: HTTPReply(status: 200, body: "ok", headers: [HTTPHeader("Cache-Control", "no-store")])),
        ])))
        #expect(scenario.host(named: "consul")?.service == .consulKV(ConsulKVSpec(
            port: 8500, entries: [KVEntry("config/db", "postgres://db:5432/app")], aclToken: "s3cret")))
        #expect(scenario.fault(named: "rate-limited")?.kind == .http(HTTPFault(
            target: "api", match: HTTPMatch(path: "/v1/*"),
            action: .respond(HTTPFaultReply(status: 429, retryAfter: 1)), first: 2)))
        #expect(scenario.fault(named: "flaky-consul")?.kind == .http(HTTPFault(
            target: "consul", match: HTTPMatch(path: "/v1/kv/*", method: "GET"),
            action: .sequence([.reply(HTTPFaultReply(status: 503)), .reply(HTTPFaultReply(status: 503, retryAfter: 2)), .pass]),
            delay: .milliseconds(100))))
    }

    @Test(arguments: [
        ("abort: close", HTTPFaultAction.abort(.close)),
        ("delay: 1s", .passThrough),
        ("respond: 503", .respond(HTTPFaultReply(status: 503))),
        ("respond: { status: 429, retry-after: 2 }", .respond(HTTPFaultReply(status: 429, retryAfter: 2))),
    ])
    func faultActionsRead(line: String, action: HTTPFaultAction) throws {
        let yaml = """
        scenario: t
        duration: 5s
        hosts:
          kv: { service: consul-kv }
        faults:
          - name: f
            at: 1s
            http:
              target: kv
              \(line)
        """
        let scenario = try ScenarioReader.read(yaml: yaml, file: "t.yaml").get()
        guard case .http(let fault) = scenario.faults.first?.kind else {
            Issue.record("no http fault")
            return
        }
        #expect(fault.action == action)
        #expect(scenario.host(named: "kv")?.service == .consulKV(ConsulKVSpec(port: 8500)))
    }
}
