import Foundation
import RunHistory
import Testing

/// Real TLS handshakes between curl and `openssl s_server`, read off the wire by the observer:
/// the hellos, the alert that ends a refused one, and the verdicts they give — a failed handshake
/// is a failure the judge can see, a completed one is unknown (the calls inside are encrypted).
@Suite(.serialized, .enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct TLSTrafficTests {
    /// An `openssl s_server` on 8443 with a self-signed certificate for `api`, made at start.
    static func server(_ options: String = "") -> String {
        """
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$FAULTLINE_DATA/k.pem" -out "$FAULTLINE_DATA/c.pem" -days 1 -subj /CN=api 2>/dev/null \
        && exec openssl s_server -quiet -accept 8443 -www \(options) -cert "$FAULTLINE_DATA/c.pem" -key "$FAULTLINE_DATA/k.pem"
        """
    }

    static func scenario(server: String, call: String) -> String {
        """
        scenario: tls-handshakes
        duration: 3s
        hosts:
          api: { run: '\(server)', ready: "tcp://api:8443" }
          client: { run: "while :; do \(call); sleep 0.2; done" }
        expect:
          - name: every call succeeds
            availability: { from: client, to: api, success: ">= 99%" }
        """
    }

    static func steps(_ events: [Event]) -> [TLSStep] {
        events.compactMap { if case .connection(let c) = $0.kind, c.phase == .tls, c.from == "client" { c.tls } else { nil } }
    }

    /// The hellos are read in the clear; the completed handshake's calls are not, so the verdict is unknown.
    @Test func aCompletedHandshakeShowsItsHellosAndIsUnknown() throws {
        let played = try ProcessFaultTests.run(Self.scenario(server: Self.server(), call: "curl -sk -o /dev/null https://api:8443/"))
        let steps = Self.steps(played.events)
        let hello = try #require(steps.first { $0.step == .clientHello })
        #expect(hello.serverName == "api" && hello.alpn?.contains("http/1.1") == true && hello.versions?.first == "TLS 1.3", "\(hello)")
        #expect(steps.contains { $0.step == .serverHello && $0.version == "TLS 1.3" })
        #expect(steps.filter { $0.step == .completed }.count >= 3, "one per call: \(steps.map(\.description))")
        #expect(!steps.contains { $0.step == .alert })
        let verdict = played.expectation("every call succeeds")
        #expect(verdict.verdict == "unknown" && verdict.summary.contains("TLS: the handshake completed (TLS 1.3)"), "\(verdict)")
    }

    /// A client that does not trust the certificate ends each handshake with an alert. Under TLS
    /// 1.2 it is in the clear, with its code; under TLS 1.3 OpenSSL sends it before switching to
    /// its handshake keys, so it is in the clear too (other stacks encrypt it: "an encrypted alert").
    /// Each call is a failure, so the expectation fails, naming the alert.
    @Test(arguments: [("--tls-max 1.2", "TLS 1.2"), ("--tlsv1.3", "TLS 1.3")])
    func aCertificateTheClientRefusesFailsEveryCall(options: String, version: String) throws {
        let failure = "alert unknown_ca (48) from the client"
        let played = try ProcessFaultTests.run(Self.scenario(server: Self.server(), call: "curl -s \(options) -o /dev/null https://api:8443/"))
        #expect(Self.steps(played.events).contains { $0.step == .serverHello && $0.version == version })
        let alerts = Self.steps(played.events).filter { $0.step == .alert }
        #expect(alerts.count >= 3 && alerts.allSatisfy { $0.sender == "client" }, "\(alerts.map(\.description))")
        let verdict = played.expectation("every call succeeds")
        #expect(verdict.verdict == "fail" && verdict.summary.contains(failure), "\(verdict)")
        #expect(played.status == 1)
    }

    /// A server that does not speak the client's only version refuses the ClientHello with a plaintext alert.
    @Test func aServerRefusingTheVersionSendsItsAlertInTheClear() throws {
        let played = try ProcessFaultTests.run(Self.scenario(server: Self.server("-no_tls1_3"), call: "curl -sk --tlsv1.3 -o /dev/null https://api:8443/"))
        let alerts = Self.steps(played.events).filter { $0.step == .alert }
        #expect(alerts.first?.sender == "server" && alerts.first?.alert == "protocol_version (70)", "\(alerts.map(\.description))")
        let verdict = played.expectation("every call succeeds")
        #expect(verdict.verdict == "fail" && verdict.summary.contains("protocol_version (70) from the server"), "\(verdict)")
    }

    /// Go's TLS stack encrypts a TLS 1.3 alert under its handshake keys: the refusal shows only as
    /// an alert-sized record where the client's Finished should be.
    @Test(.enabled(if: GoExamples.available, "needs Go (scripts/setup.sh installs golang-go)"))
    func aGoClientRefusingTheCertificateSendsAnEncryptedAlert() throws {
        let binary = try GoExamples.build("clients/go/tls-get").get()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: binary).deletingLastPathComponent().path) }
        let played = try ProcessFaultTests.run(Self.scenario(server: Self.server(), call: "\(binary) https://api:8443/"))
        let steps = Self.steps(played.events)
        #expect(steps.contains { $0.step == .serverHello && $0.version == "TLS 1.3" })
        let alerts = steps.filter { $0.step == .alert }
        #expect(alerts.count >= 3 && alerts.allSatisfy { $0.sender == "client" && $0.alert == "encrypted" }, "\(alerts.map(\.description))")
        let verdict = played.expectation("every call succeeds")
        #expect(verdict.verdict == "fail" && verdict.summary.contains("an encrypted alert from the client"), "\(verdict)")
    }
}
