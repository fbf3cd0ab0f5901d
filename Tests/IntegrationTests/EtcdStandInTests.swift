import FaultlineCore
import LinuxSystem
import Foundation
import RunHistory
import ScenarioFormat
import Services
import Testing

/// Real `etcdctl` 3.4 (Debian's etcd-client, grpc-go inside) against the etcd stand-in in a
/// testbed: what it reads and writes, watches and leases, and how `http` faults answer its calls
/// with gRPC codes.
@Suite(.serialized)
struct EtcdStandInTests {
    static let etcdctl = ExternalCommand.locate("etcdctl")
    /// etcdctl, and Python's grpcio for the raw health check (python3-grpcio, which python3-etcd3 pulls in).
    static let runnable = TopologyFixture.isRoot && etcdctl != nil
        && FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/grpc")

    static let etcd = Service.etcd(EtcdSpec(port: 2379, entries: [KVEntry("/config/db", "postgres://db:5432/app")]))

    /// `etcdctl` with the stand-in as its endpoint; standard error joins standard output.
    static func ctl(_ bed: StandInFixture.Bed, _ args: String) -> String {
        "etcdctl --endpoints=http://\(bed.api):2379 --dial-timeout=5s --command-timeout=10s \(args) 2>&1"
    }

    func calls(_ bed: StandInFixture.Bed, _ method: String) -> [HTTPResponseEvent] {
        let paths = Dictionary(bed.requests.map { ($0.exchange, $0.path) }, uniquingKeysWith: { a, _ in a })
        return bed.responses.map(\.event).filter { paths[$0.exchange] == "/etcdserverpb.\(method)" }
    }

    @Test(.enabled(if: runnable, "needs root for network namespaces, etcdctl and python3-grpcio (./scripts/setup.sh test installs etcd-client and python3-etcd3)"))
    func etcdctlWritesReadsAndDeletesAndEveryCallIsRecordedWithItsStatus() throws {
        try StandInFixture.withStandIn(Self.etcd) { bed in
            #expect(try bed.client(Self.ctl(bed, "get /config/db --print-value-only")).output
                == "postgres://db:5432/app\n")
            #expect(try bed.client(Self.ctl(bed, "put /config/pool 10")).output == "OK\n")
            #expect(try bed.client(Self.ctl(bed, "put /config/pool 20 --prev-kv")).output == "OK\n/config/pool\n10\n")
            let listed = try bed.client(Self.ctl(bed, "get /config --prefix --keys-only"))
            #expect(listed.output.split(separator: "\n") == ["/config/db", "/config/pool"])
            // Revisions as etcd counts them: 1 at the start, the seeded key at 2, then one per write.
            let json = try bed.client(Self.ctl(bed, "get /config/pool -w json")).output
            #expect(json.contains(#""create_revision":3"#) && json.contains(#""mod_revision":4"#))
            #expect(json.contains(#""version":2"#))
            #expect(try bed.client(Self.ctl(bed, "del /config --prefix")).output == "2\n")
            #expect(try bed.client(Self.ctl(bed, "get /config --prefix")).output == "")
            // An old revision still reads as it was.
            #expect(try bed.client(Self.ctl(bed, "get /config/pool --rev=3 --print-value-only")).output == "10\n")
            let txn = try bed.client(
                "printf 'value(\"/a\") = \"\"\\n\\nput /a first\\n\\nput /a other\\n\\n' | " + Self.ctl(bed, "txn"))
            #expect(txn.output.contains("FAILURE"))  // a missing key's value compares as nothing: FAILURE branch
            #expect(try bed.client(Self.ctl(bed, "get /a --print-value-only")).output == "other\n")

            let puts = calls(bed, "KV/Put")
            #expect(puts.count == 2 && puts.allSatisfy { $0.grpcStatus == 0 && $0.status == 200 })
            let requests = bed.requests.filter { $0.path == "/etcdserverpb.KV/Put" }
            #expect(requests.allSatisfy { $0.grpc == true && $0.method == "POST" && $0.stream != nil })
            #expect(requests.first?.headers["user-agent"]?.hasPrefix("grpc-go/") == true)
        }
    }

    @Test(.enabled(if: runnable, "needs root for network namespaces, etcdctl and python3-grpcio (./scripts/setup.sh test installs etcd-client and python3-etcd3)"))
    func watchersReplayFromARevisionAndSeeLiveWritesFromAnotherClient() throws {
        try StandInFixture.withStandIn(Self.etcd) { bed in
            _ = try bed.client(Self.ctl(bed, "put /w v1") + " && " + Self.ctl(bed, "put /w v2") + " && "
                + Self.ctl(bed, "del /w"))
            // From revision 1: every event since, in order; timeout ends the watcher (it never ends itself).
            let replay = try bed.client("timeout 3 " + Self.ctl(bed, "watch /w --rev=1 --prev-kv"))
            #expect(replay.output.split(separator: "\n").prefix(8) == [
                "PUT", "/w", "v1", "PUT", "/w", "v1", "/w", "v2",
            ])
            #expect(replay.output.contains("DELETE"))
            // Live: writes keep coming until the watcher has printed one (no fixed sleep decides it).
            let live = try bed.client("""
                out=$(mktemp); timeout 20 \(Self.ctl(bed, "watch /live")) > $out & w=$!
                for i in $(seq 100); do \(Self.ctl(bed, "put /live v$i")) >/dev/null; grep -q '^v' $out && break; sleep 0.2; done
                kill $w; wait $w 2>/dev/null; cat $out; rm -f $out
                """)
            let lines = live.output.split(separator: "\n")
            #expect(lines.prefix(2) == ["PUT", "/live"])
            #expect(lines.count >= 3 && lines[2].hasPrefix("v"))
            // Both ended (timeout, kill), each recorded once with how it ended. The stand-in records a
            // call when its connection closes, which it learns a moment after the killed client is gone.
            let deadline = RunClock.monotonicNow() + 5_000_000_000
            while calls(bed, "Watch/Watch").count < 2, RunClock.monotonicNow() < deadline { usleep(20_000) }
            let watches = calls(bed, "Watch/Watch")
            #expect(watches.count == 2)
            #expect(watches.allSatisfy { $0.reset != nil && $0.grpcStatus == nil })
        }
    }

    @Test(.enabled(if: runnable, "needs root for network namespaces, etcdctl and python3-grpcio (./scripts/setup.sh test installs etcd-client and python3-etcd3)"))
    func leasedKeysLastWhileKeptAliveAndGoWhenTheLeaseExpires() throws {
        try StandInFixture.withStandIn(Self.etcd) { bed in
            // A long lease for what needs no clock: attached keys, keep-alive, revoke.
            let granted = try bed.client(Self.ctl(bed, "lease grant 60")).output
            let id = try #require(granted.split(separator: " ").dropFirst().first.map(String.init))
            #expect(granted == "lease \(id) granted with TTL(60s)\n")
            #expect(try bed.client(Self.ctl(bed, "put /session/a here --lease=\(id)")).output == "OK\n")
            let ttl = try bed.client(Self.ctl(bed, "lease timetolive \(id) --keys")).output
            #expect(ttl.contains("granted with TTL(60s)") && ttl.contains("attached keys([/session/a])"))
            #expect(try bed.client(Self.ctl(bed, "lease keep-alive --once \(id)")).output
                == "lease \(id) keepalived with TTL(60)\n")
            #expect(try bed.client(Self.ctl(bed, "lease revoke \(id)")).output.contains("revoked"))
            #expect(try bed.client(Self.ctl(bed, "get /session/a")).output == "")
            #expect(try bed.client(Self.ctl(bed, "lease revoke \(id)")).output.contains("requested lease not found"))
            // A short one left alone: past its TTL the lease ends and takes its key (polled, generous).
            let gone = try bed.client("""
                id=$(\(Self.ctl(bed, "lease grant 3")) | cut -d' ' -f2) && \(Self.ctl(bed, "put /session/b here --lease=$id")) && \
                for i in $(seq 150); do v=$(\(Self.ctl(bed, "get /session/b --print-value-only"))); \
                [ -z "$v" ] && echo gone && break; sleep 0.1; done
                """)
            #expect(gone.output == "OK\ngone\n")
        }
    }

    @Test(.enabled(if: runnable, "needs root for network namespaces, etcdctl and python3-grpcio (./scripts/setup.sh test installs etcd-client and python3-etcd3)"))
    func endpointHealthStatusAndMembersAnswerAsOneMember() throws {
        try StandInFixture.withStandIn(Self.etcd) { bed in
            #expect(try bed.client(Self.ctl(bed, "endpoint health")).output.contains("is healthy"))
            let status = try bed.client(Self.ctl(bed, "endpoint status -w json")).output
            #expect(status.contains(#""version":"3.4.23""#))
            #expect(try bed.client(Self.ctl(bed, "member list")).output.contains(", api, "))
            #expect(calls(bed, "Maintenance/Status").first?.grpcStatus == 0)
            // Any gRPC client's health check (grpc.health.v1) is answered SERVING (status 1); an unknown
            // method UNIMPLEMENTED. Python's grpcio (Debian's, under python3-etcd3) as the client, raw bytes;
            // the blank line ends the here-document before the wrapper's closing parenthesis.
            let probe = try bed.client("""
                /usr/bin/python3 - <<'PY'
                import grpc
                ch = grpc.insecure_channel("\(bed.api):2379")
                grpc.channel_ready_future(ch).result(timeout=10)
                print(ch.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=10).hex())
                try:
                    ch.unary_unary("/etcdserverpb.KV/Nope")(b"", timeout=10)
                except grpc.RpcError as e:
                    print(e.code().name)
                PY

                """)
            #expect(probe.output == "0801\nUNIMPLEMENTED\n")
        }
    }

    @Test(.enabled(if: runnable, "needs root for network namespaces, etcdctl and python3-grpcio (./scripts/setup.sh test installs etcd-client and python3-etcd3)"))
    func faultsAnswerCallsWithGRPCCodesAndClientv3RetriesOnlyWhatIsSafe() throws {
        try StandInFixture.withStandIn(Self.etcd) { bed in
            // Reads are retried on UNAVAILABLE: the first two calls fail, the third answers.
            let unavailable = try bed.apply(HTTPFault(
                target: "api", match: HTTPMatch(path: "/etcdserverpb.KV/Range"),
                action: .respond(HTTPFaultReply(grpc: .unavailable, message: "leader lost")), first: 2),
                name: "no-leader")
            #expect(try bed.client(Self.ctl(bed, "get /config/db --print-value-only")).output
                .hasSuffix("postgres://db:5432/app\n"))
            try unavailable.heal()
            let ranges = calls(bed, "KV/Range")
            #expect(ranges.map(\.grpcStatus) == [14, 14, 0])
            #expect(ranges.prefix(2).allSatisfy { $0.fault == "no-leader" && $0.grpcMessage == "leader lost" })

            // A write answered UNAVAILABLE is not retried (clientv3 retries mutations only before they are sent).
            let writes = try bed.apply(HTTPFault(
                target: "api", match: HTTPMatch(path: "/etcdserverpb.KV/Put"),
                action: .respond(HTTPFaultReply(grpc: .unavailable))), name: "writes-down")
            let put = try bed.client(Self.ctl(bed, "put /k v"))
            #expect(put.status != 0 && put.output.contains("code = Unavailable"))
            try writes.heal()
            #expect(calls(bed, "KV/Put").map(\.grpcStatus) == [14])

            // INVALID_ARGUMENT is final, and a proxy's HTTP 503 is UNAVAILABLE to the client (retried).
            let invalid = try bed.apply(HTTPFault(
                target: "api", match: HTTPMatch(path: "/etcdserverpb.KV/DeleteRange"),
                action: .respond(HTTPFaultReply(grpc: .invalidArgument, message: "bad range"))), name: "invalid")
            let del = try bed.client(Self.ctl(bed, "del /config/db"))
            #expect(del.status != 0 && del.output.contains("bad range"))
            try invalid.heal()
            #expect(calls(bed, "KV/DeleteRange").count == 1)
            let proxy = try bed.apply(HTTPFault(
                target: "api", match: HTTPMatch(path: "/etcdserverpb.KV/Range"),
                action: .respond(HTTPFaultReply(status: 503)), first: 1, delay: .milliseconds(300)), name: "proxy")
            #expect(try bed.client(Self.ctl(bed, "get /config/db --print-value-only")).output
                .hasSuffix("postgres://db:5432/app\n"))
            try proxy.heal()
            let proxied = calls(bed, "KV/Range").suffix(2)
            #expect(proxied.map(\.status) == [503, 200])
            #expect(proxied.first?.grpcStatus == nil && proxied.first?.fault == "proxy")
            #expect((proxied.first?.latency ?? .zero) >= .milliseconds(300))

            // A reset connection loses the call (a request with no answer); clientv3 redials and retries the read.
            let before = bed.requests.count
            let reset = try bed.apply(HTTPFault(
                target: "api", match: HTTPMatch(path: "/etcdserverpb.KV/Range"), action: .abort(.reset), first: 1),
                name: "reset")
            #expect(try bed.client(Self.ctl(bed, "get /config/db --print-value-only")).output
                .hasSuffix("postgres://db:5432/app\n"))
            try reset.heal()
            let after = bed.requests.dropFirst(before).filter { $0.path == "/etcdserverpb.KV/Range" }
            let answered = Set(bed.responses.map(\.event.exchange))
            #expect(after.count == 2 && !answered.contains(after[after.startIndex].exchange))
        }
    }
}
