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

    @Test func tlsOnAStandInAndTLSFaultsDecodeToExactValues() throws {
        let file = (Self.file as NSString).deletingLastPathComponent + "/tls-faults.yaml"
        let scenario = try ScenarioReader.read(file: file).get()
        #expect(scenario.host(named: "consul")?.tls == ServiceTLS(names: ["consul.service.consul"]))
        #expect(scenario.host(named: "client")?.tls == nil)
        let actions = scenario.faults.map { f -> TLSFaultAction? in
            if case .tls(let t) = f.kind, t.target == "consul" { return t.action }
            return nil
        }
        #expect(actions == [
            .certificate(.expired), .certificate(.wrongName), .certificate(.unknownCA), .maxVersion(.tls11),
            .handshake(.reset), .certificate(.rotated),
        ])
        #expect(scenario.faults.last?.duration == nil, "a rotation has no 'for'")
        let plain = """
        scenario: t
        duration: 5s
        hosts:
          kv: { service: consul-kv, tls: true }
          off: { service: http, port: 80, tls: false }
        """
        let read = try ScenarioReader.read(yaml: plain, file: "x.yaml").get()
        #expect(read.host(named: "kv")?.tls == ServiceTLS() && read.host(named: "off")?.tls == nil)
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

    static func etcdScenario(_ faultLines: String, service: String = "etcd") -> String {
        """
        scenario: t
        duration: 5s
        hosts:
          kv: { service: \(service) }
        faults:
          - name: f
            at: 1s
            http:
              target: kv
              match: { path: "/etcdserverpb.KV/*" }
              \(faultLines)
        """
    }

    @Test(arguments: [
        ("respond: UNAVAILABLE", HTTPFaultAction.respond(HTTPFaultReply(grpc: .unavailable))),
        ("respond: { status: resource_exhausted, message: slow down, pushback: 1500ms }",
         .respond(HTTPFaultReply(grpc: .resourceExhausted, message: "slow down", pushbackMilliseconds: 1500))),
        ("respond: { status: UNAVAILABLE, pushback: never }",
         .respond(HTTPFaultReply(grpc: .unavailable, pushbackMilliseconds: -1))),
        ("respond: [UNAVAILABLE, 503, pass]",
         .sequence([.reply(HTTPFaultReply(grpc: .unavailable)), .reply(HTTPFaultReply(status: 503)), .pass])),
    ])
    func gRPCFaultRepliesReadAsCodes(line: String, action: HTTPFaultAction) throws {
        let scenario = try ScenarioReader.read(yaml: Self.etcdScenario(line), file: "t.yaml").get()
        guard case .http(let fault) = scenario.faults.first?.kind else {
            Issue.record("no http fault")
            return
        }
        #expect(fault.action == action)
        #expect(scenario.host(named: "kv")?.service == .etcd(EtcdSpec(port: 2379)))
    }

    @Test func etcdKeysMayStartWithASlashAndTheDefaultPortIsEtcds() throws {
        let yaml = """
        scenario: t
        duration: 5s
        hosts:
          etcd: { service: etcd, kv: { /config/db: "postgres://db" } }
        """
        let scenario = try ScenarioReader.read(yaml: yaml, file: "t.yaml").get()
        #expect(scenario.host(named: "etcd")?.service == .etcd(EtcdSpec(
            port: 2379, entries: [KVEntry("/config/db", "postgres://db")])))
    }

    @Test(arguments: [
        ("respond: UNAVAILABLE", "consul-kv",
         "t.yaml:11:16 faults[0].http.respond: 'UNAVAILABLE' is a gRPC status, and service: consul-kv answers HTTP"),
        ("respond: OK", "etcd", "t.yaml:11:16 faults[0].http.respond: a fault answering OK would send no message"),
        ("respond: { status: UNAVAILABLE, retry-after: 2 }", "etcd",
         "t.yaml:11:39 faults[0].http.respond.retry-after: 'retry-after' belongs to an HTTP answer"),
        ("respond: { status: 503, pushback: 1s }", "etcd",
         "t.yaml:11:31 faults[0].http.respond.pushback: 'pushback' belongs to a gRPC status"),
        ("respond: { status: UNAVAILABLE, pushback: 1500us }", "etcd",
         "t.yaml:11:49 faults[0].http.respond.pushback: pushback '1500us' must be whole milliseconds"),
        ("respond: UNAVAILABEL", "etcd",
         "t.yaml:11:16 faults[0].http.respond: unknown status 'UNAVAILABEL': an HTTP status from 100 to 599 or a gRPC code"),
    ])
    func misusedGRPCRepliesAreReportedWhereTheyAre(line: String, service: String, problem: String) {
        let problems = ScenarioReader.inspect(yaml: Self.etcdScenario(line, service: service), file: "t.yaml")
            .problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix(problem) }, "\(problems)")
    }
}
