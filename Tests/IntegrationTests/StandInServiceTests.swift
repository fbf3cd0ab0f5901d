import FaultlineCore
import Faults
import Foundation
import LinuxSystem
import Netlink
import RunHistory
import ScenarioFormat
import Services
import Testbed
import Testing

/// Real clients (curl, py-consul) against stand-ins in a testbed: the answers they get, and what
/// the history records.
@Suite(.serialized)
struct StandInServiceTests {
    static let pyConsulAvailable = LibraryPython.hasPyConsul
    static let goConsulSource = "/usr/share/gocode/src/github.com/armon/consul-api"
    static let goConsulAvailable = GoExamples.available && FileManager.default.fileExists(atPath: goConsulSource)

    static let api = Service.http(HTTPServiceSpec(port: 8080, routes: [
        HTTPRoute(path: "/v1/items", respond: HTTPReply(status: 200, body: #"{"items":[]}"#)),
    ]))

    @Test(.enabled(if: TopologyFixture.isRoot, "needs root for network namespaces"))
    func curlGetsTheRoutedAnswerAndTheHistoryRecordsIt() throws {
        try StandInFixture.withStandIn(Self.api) { bed in
            let r = try bed.client("curl -s -w ' %{http_code}' http://\(bed.api):8080/v1/items")
            #expect(r.status == 0)
            #expect(r.output == #"{"items":[]} 200"#)
            #expect(bed.requests.map(\.path) == ["/v1/items"])
            #expect(bed.requests.first?.from == "client")
            #expect(bed.requests.first?.headers["user-agent"]?.hasPrefix("curl/") == true)
            #expect(bed.responses.map(\.event.status) == [200])
            #expect(bed.responses.first?.event.via == "service:api")
        }
    }

    @Test(.enabled(if: TopologyFixture.isRoot, "needs root for network namespaces"))
    func curlRetryHonoursRetryAfterFromAnHTTPFault() throws {
        try StandInFixture.withStandIn(Self.api) { bed in
            _ = try bed.apply(HTTPFault(target: "api", action: .respond(HTTPFaultReply(status: 503, retryAfter: 2))))
            // Written to a file: with -o /dev/null curl stops after one attempt (cannot truncate it).
            let r = try bed.client("curl -s --retry 3 -o /tmp/fl-svc-retry.out -w '%{http_code}' http://\(bed.api):8080/v1/items; rm -f /tmp/fl-svc-retry.out")
            #expect(r.output == "503")
            let times = bed.responses.map(\.t)
            #expect(times.count == 4)
            #expect(bed.responses.allSatisfy { $0.event.fault == "f" && $0.event.retryAfter == "2" })
            // curl's own schedule would be 1, 2, 4 s; Retry-After makes every gap 2 s. A loaded
            // machine can only wake curl late, so the margin is above: how precisely the gaps are
            // measured is RealClientTests' question, asked with nothing else running.
            let gaps = zip(times.dropFirst(), times).map { ($0 - $1).seconds }
            #expect(gaps.allSatisfy { $0 > 1.95 && $0 < 2.5 }, "gaps \(gaps)")
        }
    }

    @Test(.enabled(if: TopologyFixture.isRoot, "needs root for network namespaces"))
    func firstTwoShapesExactlyTwoRequestsThenHealRestores() throws {
        try StandInFixture.withStandIn(Self.api) { bed in
            let effect = try bed.apply(HTTPFault(target: "api", match: HTTPMatch(path: "/v1/*"),
                                                 action: .respond(HTTPFaultReply(status: 429)), first: 2))
            let url = "http://\(bed.api):8080/v1/items"
            let r = try bed.client("for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code} ' \(url); done")
            #expect(r.output == "429 429 200 ")
            try effect.heal()
            #expect(bed.responses.map(\.event.fault) == ["f", "f", nil])
        }
    }

    @Test(.enabled(if: TopologyFixture.isRoot, "needs root for network namespaces"))
    func abortResetMakesTheClientSeeAReset() throws {
        try StandInFixture.withStandIn(Self.api) { bed in
            _ = try bed.apply(HTTPFault(target: "api", action: .abort(.reset)))
            let r = try bed.client("curl -s -o /dev/null http://\(bed.api):8080/v1/items; echo $?")
            // curl 56: "Recv failure: Connection reset by peer".
            #expect(r.output.trimmingCharacters(in: .whitespacesAndNewlines) == "56")
            #expect(bed.requests.count == 1)
            #expect(bed.responses.isEmpty)
        }
    }

    @Test(.enabled(if: TopologyFixture.isRoot && pyConsulAvailable,
                   "needs root for network namespaces and py-consul in .venv (scripts/setup.sh test installs it)"))
    func pyConsulReadsWritesAndBlocksThroughConsulKV() throws {
        let spec = ConsulKVSpec(port: 8500, entries: [KVEntry("config/db", "postgres://db:5432/app")], aclToken: "s3cret")
        try StandInFixture.withStandIn(.consulKV(spec)) { bed in
            let script = """
            import consul, threading, time, json
            c = consul.Consul(host="\(bed.api)", port=8500, token="s3cret")
            out = {}
            index, data = c.kv.get("config/db")
            out["value"] = data["Value"].decode()
            out["put"] = c.kv.put("app/x", "one")
            out["keys"] = c.kv.get("", keys=True)[1]
            index, data = c.kv.get("app/x")
            threading.Timer(0.5, lambda: consul.Consul(host="\(bed.api)", port=8500, token="s3cret").kv.put("app/x", "two")).start()
            start = time.monotonic()
            index2, data = c.kv.get("app/x", index=index, wait="5s")
            out["blocked"] = round(time.monotonic() - start, 2)
            out["after"] = data["Value"].decode()
            out["newer"] = int(index2) > int(index)
            try:
                consul.Consul(host="\(bed.api)", port=8500, token="wrong").kv.get("config/db")
                out["denied"] = False
            except consul.ACLPermissionDenied:
                out["denied"] = True
            print(json.dumps(out))
            """
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("fl-svc-\(UUID().uuidString).py").path
            try script.write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let r = try bed.client("\(LibraryPython.venv) \(file) 2>&1")
            #expect(r.status == 0, "\(r.output)")
            let out = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any] ?? [:]
            #expect(out["value"] as? String == "postgres://db:5432/app")
            #expect(out["put"] as? Bool == true)
            #expect(out["keys"] as? [String] == ["app/x", "config/db"])
            #expect(out["after"] as? String == "two")
            #expect(out["newer"] as? Bool == true)
            #expect(out["denied"] as? Bool == true)
            let blocked = out["blocked"] as? Double ?? 0
            #expect(blocked >= 0.4 && blocked < 2, "blocked \(blocked) s")
            #expect(bed.requests.allSatisfy { $0.from == "client" })
        }
    }
    @Test(.enabled(if: TopologyFixture.isRoot && goConsulAvailable,
                   "needs root for network namespaces, Go and Debian's golang-github-armon-consul-api-dev (scripts/setup.sh installs them)"))
    func goConsulClientReadsWritesBlocksAndIsDeniedThroughConsulKV() throws {
        let build = try GoExamples.build("clients/go/consul-kv-probe")
        #expect(throws: Never.self, "the Go client builds") { try build.get() }
        guard case .success(let binary) = build else { return }
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: binary).deletingLastPathComponent().path) }
        let spec = ConsulKVSpec(port: 8500, entries: [KVEntry("config/db", "postgres://db:5432/app")], aclToken: "s3cret")
        try StandInFixture.withStandIn(.consulKV(spec)) { bed in
            let r = try bed.client("\(binary) \(bed.api):8500 2>&1")
            #expect(r.status == 0, "\(r.output)")
            let out = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any] ?? [:]
            #expect(out["value"] as? String == "postgres://db:5432/app")
            #expect(out["putError"] as? String == "<nil>")
            #expect(out["keys"] as? [String] == ["app/x", "config/db"])
            #expect(out["after"] as? String == "two")
            #expect(out["newer"] as? Bool == true)
            #expect(out["missingIsNil"] as? Bool == true, "a 404 is 'not set' to the Go client")
            #expect(out["deleteError"] as? String == "<nil>")
            #expect(out["listed"] as? Int == 1)
            #expect((out["deniedError"] as? String ?? "").contains("403"), "\(out["deniedError"] ?? "nil")")
            let blocked = out["blocked"] as? Double ?? 0
            #expect(blocked >= 0.4 && blocked < 2, "blocked \(blocked) s")
            #expect(bed.responses.contains { $0.event.status == 403 })
        }
    }
}
