import LinuxSystem
import Foundation
import Glibc
import Netlink
import RunHistory
import ScenarioFormat
import Testbed
import Testing

/// Probes and readiness checks run from inside a host against real servers in other hosts.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct ProbeTests {
    private func serve(_ topology: Topology, host: String, port: UInt16, history: History) throws -> (HostContext, HostProcess) {
        let context = try HostContext(host: host, namespace: try topology.namespace(of: host), mounts: [])
        let server = try HostProcess(
            host: host, command: "exec python3 -m http.server \(port) --bind 0.0.0.0", context: context,
            directory: NSTemporaryDirectory(), env: ProcessInfo.processInfo.environment, history: history)
        return (context, server)
    }

    private func probeEvents(_ history: History) -> [(ok: Bool, detail: String)] {
        history.events.compactMap {
            if case .probe(_, _, _, let ok, _, let detail) = $0.kind { return (ok, detail) }
            return nil
        }
    }

    /// Polls `condition` until it holds or `seconds` pass.
    static func waitFor(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func httpProbeSucceedsAgainstARealServerAndFailsOnceItStops() throws {
        try TopologyFixture.withTopology(["client", "api"]) { topology in
            let history = History(clock: { .zero })
            let (context, server) = try serve(topology, host: "api", port: 8080, history: history)
            defer { context.stop() }
            let addresses = ["client": try topology.address(of: "client"), "api": try topology.address(of: "api")]
            let url = try #require(URLTarget(parsing: "http://api:8080/"))
            try ReadinessWaiter.wait(
                hosts: [Host(name: "api", ready: .http(url))], processes: ["api": server],
                router: topology.routerNamespace, addresses: addresses, history: history, timeout: .seconds(10))
            let target = ProbeTarget.http(url)
            let prober = try Prober(
                name: "p", from: "client", namespace: try topology.namespace(of: "client"), target: target,
                resolved: try #require(ResolvedTarget.resolve(target, addresses: addresses)),
                every: .milliseconds(50), timeout: .seconds(1), history: history)
            // Waits for what each step needs rather than a fixed time, which a loaded machine can
            // overrun: an attempt against the live server, then one refused once it is gone.
            #expect(Self.waitFor { !probeEvents(history).isEmpty })
            server.terminate(grace: .seconds(1))
            #expect(Self.waitFor { probeEvents(history).last?.detail.hasPrefix("ECONNREFUSED") == true })
            prober.stop()
            let events = probeEvents(history)
            #expect(events.first?.ok == true)
            #expect(events.first?.detail == "HTTP 200")
            #expect(events.last?.ok == false)
            #expect(events.last?.detail.hasPrefix("ECONNREFUSED") == true)
        }
    }

    @Test func readinessTimesOutNamingTheHost() throws {
        try TopologyFixture.withTopology(["db"]) { topology in
            let history = History(clock: { .zero })
            let start = Date()
            #expect {
                try ReadinessWaiter.wait(
                    hosts: [Host(name: "db", ready: .tcp(host: "db", port: 5432))], processes: [:],
                    router: topology.routerNamespace, addresses: ["db": try topology.address(of: "db")],
                    history: history, timeout: .milliseconds(600))
            } throws: { error in
                guard let e = error as? ReadinessError else { return false }
                return e.host == "db" && e.description.contains("tcp://db:5432") && e.description.contains("ECONNREFUSED")
            }
            #expect(Date().timeIntervalSince(start) < 3)
        }
    }

    @Test func readinessFailsFastWhenTheProcessExits() throws {
        try TopologyFixture.withTopology(["api"]) { topology in
            let history = History(clock: { .zero })
            let context = try HostContext(host: "api", namespace: try topology.namespace(of: "api"), mounts: [])
            defer { context.stop() }
            let p = try HostProcess(
                host: "api", command: "echo starting; exit 4", context: context, directory: nil,
                env: ["PATH": "/usr/bin:/bin"], history: history)
            usleep(200_000)
            #expect {
                try ReadinessWaiter.wait(
                    hosts: [Host(name: "api", ready: .log(pattern: "listening"))], processes: ["api": p],
                    router: topology.routerNamespace, addresses: [:], history: history, timeout: .seconds(10))
            } throws: { error in
                (error as? ReadinessError)?.reason.contains("exit 4") == true
            }
        }
    }

    @Test func commandAndNameLookupProbesRunInsideTheHost() throws {
        try TopologyFixture.withTopology(["client", "api"]) { topology in
            // The host's own name is in its /etc/hosts; every other name resolves through the
            // scenario's DNS server, which this test does not start.
            let own = try topology.address(of: "client")
            let files = HostFiles.make(host: "client", address: own, nameserver: topology.routerAddress)
            let dir = NSTemporaryDirectory() + "fl-probefiles-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let context = try HostContext(host: "client", namespace: try topology.namespace(of: "client"), mounts: try files.write(to: dir))
            defer { context.stop() }
            let env = ["PATH": "/usr/bin:/bin"]
            let lookup = CommandAttempt.run(try #require(CommandAttempt.argv(for: .dns(name: "client"))), in: context, env: env, timeout: .seconds(2))
            #expect(lookup.ok)
            #expect(lookup.detail.hasPrefix(own.description))
            let missing = CommandAttempt.run(["getent", "ahostsv4", "nosuchhost.invalid"], in: context, env: env, timeout: .seconds(3))
            #expect(!missing.ok)
            let failing = CommandAttempt.run(["/bin/sh", "-c", "echo nope; exit 3"], in: context, env: env, timeout: .seconds(2))
            #expect(!failing.ok)
            #expect(failing.detail == "exit 3: nope")
            let slow = CommandAttempt.run(["/bin/sh", "-c", "sleep 5"], in: context, env: env, timeout: .milliseconds(300))
            #expect(slow.detail == "timeout after 300ms")
            #expect(slow.latency < .seconds(2))
        }
    }

    @Test func probesLeaveFromTheReservedSourcePortRange() throws {
        try TopologyFixture.withTopology(["client", "api"]) { topology in
            let listener = try SocketProbe.listen(on: topology.thread(of: "api"), topology.address(of: "api"), 7300)
            defer { close(listener) }
            let target = ResolvedTarget(address: try topology.address(of: "api"), port: 7300, hostHeader: "api")
            let outcome = try topology.thread(of: "client").run { ProbeAttempt.run(target, timeout: .seconds(1)) }
            #expect(outcome.ok)
            let (fd, peer) = IPv4SocketAddress.filling { accept(listener, $0, $1) }
            #expect(fd >= 0)
            if fd >= 0 { close(fd) }
            #expect(ProbeTraffic.sourcePorts.contains(peer.port))
        }
    }
}
