import FaultlineCore
import Foundation
import LinuxSystem
import RunHistory
import ScenarioFormat
import Services
import Testing

/// Stand-ins serving TLS from a per-test certificate authority, against real clients (Python's
/// ssl on OpenSSL 3, curl, etcdctl's grpc-go), and every TLS fault as those clients meet it: what
/// they report, and what the stand-in recorded of each handshake.
@Suite(.serialized)
struct TLSStandInTests {
    static let runnable = TopologyFixture.isRoot && ExternalCommand.locate("python3") != nil && ExternalCommand.locate("curl") != nil
    static let api = Service.http(HTTPServiceSpec(port: 8443, routes: [
        HTTPRoute(path: "/v1/kv/config", respond: HTTPReply(status: 200, body: "postgres://db:5432/app")),
    ]))

    /// A Python client (the standard library's ssl, verifying against the test authority and the
    /// name `api`): `TLSv1.3 200` on an answer, else the exception's type and message. With
    /// `pause`, it asks a second time on the same connection after that many seconds.
    static func python(_ bed: StandInFixture.Bed, pause: Double? = nil) -> String {
        let again = pause.map { """
                    time.sleep(\($0))
                    t.sendall(ask)
                    print(t.recv(4096).split(b' ')[1].decode(), hashlib.sha256(t.getpeercert(True)).hexdigest()[:16])
        """ } ?? ""
        return """
        python3 - <<'EOF'
        import hashlib, socket, ssl, time
        ctx = ssl.create_default_context(cafile='\(bed.authority ?? "")')
        ask = b'GET /v1/kv/config HTTP/1.1\\r\\nHost: api\\r\\n\\r\\n'
        try:
            with socket.create_connection(('\(bed.api)', 8443), timeout=2) as s:
                with ctx.wrap_socket(s, server_hostname='api') as t:
                    t.sendall(ask)
                    print(t.version(), t.recv(4096).split(b' ')[1].decode(), hashlib.sha256(t.getpeercert(True)).hexdigest()[:16])
        \(again)
        except Exception as e:
            print(type(e).__name__, e)
        EOF

        """
    }

    /// The stand-in's record of how each handshake ended, in order: `completed TLS 1.3` or the alert.
    static func endings(_ bed: StandInFixture.Bed) -> [TLSStep] {
        bed.served.compactMap { $0.phase == .tls ? $0.tls : nil }
    }

    @Test(.enabled(if: runnable, "needs root for network namespaces, python3 and curl"))
    func realClientsTalkTLSAndTheStandInRecordsEachHandshakeAndRequest() throws {
        try StandInFixture.withStandIn(Self.api, tls: ServiceTLS(names: ["api.service.consul"])) { bed in
            let python = try bed.client(Self.python(bed)).output
            #expect(python.hasPrefix("TLSv1.3 200 "), "\(python)")
            // curl by the extra name, pinned to the address, offering h2 and http/1.1 (ALPN).
            let curl = try bed.client("curl -sS -m 2 --cacert \(bed.authority!) --resolve api.service.consul:8443:\(bed.api) "
                + "-w ' %{http_version}' https://api.service.consul:8443/v1/kv/config 2>&1").output
            #expect(curl == "postgres://db:5432/app 1.1", "\(curl)")
            let ends = Self.endings(bed)
            #expect(ends.map(\.step) == [.completed, .completed])
            #expect(ends.allSatisfy { $0.version == "TLS 1.3" })
            #expect(ends[1].alpn == ["http/1.1"], "\(ends)")
            // Each request says it came inside TLS, with the client's port, as the wire's connection has it.
            #expect(bed.requests.count == 2 && bed.requests.allSatisfy { $0.tls == true && $0.sourcePort != nil })
            let ports = Set(bed.served.map(\.sourcePort))
            #expect(Set(bed.requests.compactMap(\.sourcePort)) == ports)
            #expect(bed.served.allSatisfy { $0.via == "service:api" && $0.from == "client" })
        }
    }

    /// Each certificate fault is the certificate it names: OpenSSL refuses it for that reason, the
    /// stand-in records the client's alert (or that it came in the clear), and the heal brings
    /// the stand-in's own certificate back.
    @Test(.enabled(if: runnable, "needs root for network namespaces, python3 and curl"), arguments: [
        (TLSCertificateFault.expired, "certificate has expired"),
        (.wrongName, "Hostname mismatch, certificate is not valid for 'api'"),
        (.unknownCA, "unable to get local issuer certificate"),
        (.selfSigned, "self-signed certificate"),
    ])
    func eachCertificateFaultIsRefusedForItsReason(fault: TLSCertificateFault, reason: String) throws {
        try StandInFixture.withStandIn(Self.api, tls: ServiceTLS()) { bed in
            let effect = try bed.apply(TLSFault(target: "api", action: .certificate(fault)), name: "bad-cert")
            let refused = try bed.client(Self.python(bed)).output
            #expect(refused.hasPrefix("SSLCertVerificationError") && refused.contains(reason), "\(refused)")
            try effect.heal()
            #expect(try bed.client(Self.python(bed)).output.hasPrefix("TLSv1.3 200 "))
            let ends = Self.endings(bed)
            #expect(ends.count == 2 && ends[0].step == .alert && ends[0].sender == "client" && ends[0].fault == "bad-cert", "\(ends)")
            #expect(ends.last?.step == .completed && ends.last?.fault == nil)
            #expect(bed.requests.count == 1, "no request crosses a refused handshake")
        }
    }

    /// A server capped at TLS 1.1 is refused by a client of today (OpenSSL 3 at its default
    /// security level); capped at TLS 1.2 it is spoken.
    @Test(.enabled(if: runnable, "needs root for network namespaces, python3 and curl"))
    func anOldProtocolOnlyIsRefusedAndTLS12IsSpoken() throws {
        try StandInFixture.withStandIn(Self.api, tls: ServiceTLS()) { bed in
            let old = try bed.apply(TLSFault(target: "api", action: .maxVersion(.tls11)), name: "old")
            let refused = try bed.client(Self.python(bed)).output
            #expect(refused.hasPrefix("SSLError"), "\(refused)")
            try old.heal()
            let twelve = try bed.apply(TLSFault(target: "api", action: .maxVersion(.tls12)), name: "twelve")
            #expect(try bed.client(Self.python(bed)).output.hasPrefix("TLSv1.2 200 "))
            try twelve.heal()
            let ends = Self.endings(bed)
            #expect(ends.first?.step == .alert && ends.first?.fault == "old", "\(ends)")
            #expect(ends.last?.version == "TLS 1.2" && ends.last?.fault == "twelve")
        }
    }

    /// Handshake faults: reset at the ClientHello (ECONNRESET), closed (EOF), stalled (the
    /// client's own timeout).
    @Test(.enabled(if: runnable, "needs root for network namespaces, python3 and curl"), arguments: [
        (TLSHandshakeFault.reset, "ConnectionResetError"),
        (.close, "SSLEOFError"),
        (.stall, "TimeoutError"),
    ])
    func handshakeFaultsFailTheHandshakeAsTheyShould(fault: TLSHandshakeFault, error: String) throws {
        try StandInFixture.withStandIn(Self.api, tls: ServiceTLS()) { bed in
            let effect = try bed.apply(TLSFault(target: "api", action: .handshake(fault)))
            let failed = try bed.client(Self.python(bed)).output
            #expect(failed.hasPrefix(error), "\(failed)")
            try effect.heal()
            #expect(try bed.client(Self.python(bed)).output.hasPrefix("TLSv1.3 200 "))
            let phases = bed.served.map(\.phase)
            #expect(phases.contains(fault == .reset ? .reset : .closed), "\(phases)")
            #expect(Self.endings(bed).map(\.step) == [.completed], "only the healed handshake got anywhere")
        }
    }

    /// A rotation replaces the certificate for good: new handshakes meet the new one, which the
    /// client trusts as before; a connection open across it keeps its session and its old one.
    @Test(.enabled(if: runnable, "needs root for network namespaces, python3 and curl"))
    func aRotationIsMetByNewHandshakesOnlyAndStays() throws {
        try StandInFixture.withStandIn(Self.api, tls: ServiceTLS()) { bed in
            let before = try bed.client(Self.python(bed)).output.split(whereSeparator: \.isWhitespace)
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("fl-rot-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            _ = try bed.client("(\(Self.python(bed, pause: 1.5))) > \(out) 2>&1 &")
            Thread.sleep(forTimeInterval: 0.5)
            let rotation = try bed.apply(TLSFault(target: "api", action: .certificate(.rotated)), name: "rotate")
            try rotation.heal()
            let after = try bed.client(Self.python(bed)).output.split(whereSeparator: \.isWhitespace)
            #expect(before.count == 3 && after.count == 3 && before[1] == "200" && after[1] == "200")
            #expect(before[2] != after[2], "new handshakes meet the new certificate")
            let deadline = Date().addingTimeInterval(5)
            var open: [Substring] = []
            while Date() < deadline {
                open = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n")
                if open.count == 2 { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            #expect(open.count == 2, "\(open)")
            #expect(open.map { $0.split(separator: " ").last } == [before[2], before[2]], "the open connection kept its session: \(open)")
        }
    }

    /// An `http` fault's abort on a TLS stand-in: `reset` is a TCP reset (no TLS close_notify
    /// before it, which would make it a clean end), `close` a TLS close and a FIN.
    @Test(.enabled(if: runnable, "needs root for network namespaces, python3 and curl"), arguments: [
        (HTTPAbort.reset, "curl: (56) Recv failure: Connection reset by peer"), (.close, "curl: (52) Empty reply from server"),
    ])
    func anAbortOverTLSIsTheResetOrCloseItNames(mode: HTTPAbort, error: String) throws {
        try StandInFixture.withStandIn(Self.api, tls: ServiceTLS()) { bed in
            _ = try bed.apply(HTTPFault(target: "api", action: .abort(mode)))
            let out = try bed.client("curl -sS -m 2 --cacert \(bed.authority!) https://\(bed.api):8443/v1/kv/config 2>&1").output
            #expect(out.hasPrefix(error), "\(out)")
        }
    }

    /// etcd over TLS: etcdctl (grpc-go, ALPN h2) against the etcd stand-in with the test
    /// authority; an unknown authority is refused with grpc-go's alert, which TLS 1.3 encrypts on
    /// the wire and the stand-in reads.
    @Test(.enabled(if: runnable && EtcdStandInTests.etcdctl != nil, "needs root, python3, curl and etcdctl (./scripts/setup.sh test)"))
    func etcdctlTalksGRPCOverTLSAndItsRefusalIsRead() throws {
        let etcd = Service.etcd(EtcdSpec(port: 2379, entries: [KVEntry("/config/db", "x")]))
        try StandInFixture.withStandIn(etcd, tls: ServiceTLS()) { bed in
            // By address: the certificate carries the host's address as well as its name.
            let ctl = "etcdctl --endpoints=https://\(bed.api):2379 --cacert=\(bed.authority!) --dial-timeout=3s --command-timeout=5s"
            let put = try bed.client("\(ctl) put /k v 2>&1").output
            #expect(put == "OK\n", "\(put)")
            let calls = bed.requests.filter { $0.path == "/etcdserverpb.KV/Put" }
            #expect(calls.count == 1 && calls[0].tls == true && calls[0].grpc == true)
            #expect(Self.endings(bed).first?.alpn == ["h2"])
            let effect = try bed.apply(TLSFault(target: "api", action: .certificate(.unknownCA)), name: "stranger")
            let refused = try bed.client("\(ctl) get /k 2>&1").output
            try effect.heal()
            // grpc-go 1.33 reports only its balancer's state ("all SubConns are in TransientFailure").
            #expect(!refused.contains("\nx\n") && refused.contains("TransientFailure"), "\(refused)")
            let alerts = Self.endings(bed).filter { $0.step == .alert }
            #expect(!alerts.isEmpty && alerts.allSatisfy { $0.sender == "client" && $0.alert == "bad_certificate (42)" }, "\(alerts)")
        }
    }
}
