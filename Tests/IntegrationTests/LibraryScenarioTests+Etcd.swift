import Foundation
import Testing

/// The tools the etcd incidents need, as `scripts/setup.sh` installs them.
enum EtcdTools {
    static let installed = ["/usr/bin/etcd", "/usr/bin/etcdctl", "/usr/lib/python3/dist-packages/etcd3"]
        .allSatisfy { FileManager.default.fileExists(atPath: $0) }
}

/// The etcd incidents of the library, on real etcd 3.4 members or the etcd stand-in. Without the packages the test is
/// skipped here, and `faultline run` reports these scenarios as skipped (their `requires:`), which
/// `RequiresCommandTests` proves.
extension LibraryScenarioTests {
    static let etcdCases: [Case] = [
        Case(file: "etcd-leader-freeze.yaml", failing: []),
        Case(file: "etcd-leader-freeze-broken.yaml", failing: [
            "writes go on while the leader is frozen", "never stalls behind a frozen member",
        ]),
        Case(file: "etcd-fallback-registrar.yaml", failing: []),
        Case(file: "etcd-fallback-registrar-broken.yaml", failing: [
            "registered in the primary again after its return", "fallback registration withdrawn after the return",
        ]),
        // The gRPC twin of consul-kv-status-codes, on Faultline's etcd stand-in, judged from the calls on the wire.
        Case(file: "etcd-grpc-status-codes.yaml", failing: []),
        Case(file: "etcd-grpc-status-codes-broken.yaml", failing: [
            "waits out the pushback on RESOURCE_EXHAUSTED", "no retry storm while shedding load",
            "circuit opens after three UNAVAILABLEs", "serves from cache while etcd is unavailable",
            "never retries INVALID_ARGUMENT",
        ]),
    ]

    @Test(.enabled(if: EtcdTools.installed, "needs etcd-server, etcd-client and python3-etcd3 (scripts/setup.sh)"),
          arguments: etcdCases)
    func etcdVerdictIsAsDesigned(_ c: Case) throws {
        try verdictIsAsDesigned(c)
    }

    /// Go clients, built offline by examples/clients/go/run.sh: grpc-go 1.33 on the etcd stand-in,
    /// clientv3 3.4 on a real 3-member cluster, go-retryablehttp on the http stand-in.
    static let goCases: [Case] = [
        Case(file: "grpc-go-retry-policy.yaml", failing: []),
        Case(file: "grpc-go-retry-policy-broken.yaml", failing: [
            "retries UNAVAILABLE with the configured backoff", "waits out the pushback",
        ]),
        Case(file: "clientv3-leader-freeze.yaml", failing: []),
        Case(file: "clientv3-leader-freeze-broken.yaml", failing: [
            "writes go on while the leader is frozen", "never stalls behind a frozen member",
        ]),
        Case(file: "go-status-class-breaker.yaml", failing: []),
        Case(file: "go-status-class-breaker-broken.yaml", failing: [
            "breaker opens on 503 for Retry-After, then one trial", "honours Retry-After on 503", "never retries 400",
        ]),
        Case(file: "consul-tls-writes.yaml", failing: []),
        Case(file: "consul-tls-writes-broken.yaml", failing: [
            "an expired certificate is never retried", "a certificate for another name is never retried",
            "an old protocol is never retried", "the operator is alerted to the certificate",
        ]),
    ]

    static let goInstalled = GoExamples.available && EtcdTools.installed
        && ["/usr/share/gocode/src/google.golang.org/grpc", "/usr/share/gocode/src/go.etcd.io/etcd/clientv3",
            "/usr/share/gocode/src/github.com/hashicorp/go-retryablehttp", "/usr/share/gocode/src/github.com/armon/consul-api"]
            .allSatisfy { FileManager.default.fileExists(atPath: $0) }

    @Test(.enabled(if: goInstalled,
                   "needs golang-go, golang-google-grpc-dev, golang-etcd-server-dev, golang-github-hashicorp-go-retryablehttp-dev, golang-github-armon-consul-api-dev and etcd-server (scripts/setup.sh test)"),
          arguments: goCases)
    func goClientVerdictIsAsDesigned(_ c: Case) throws {
        try verdictIsAsDesigned(c)
    }
}
