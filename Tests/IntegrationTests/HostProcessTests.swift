import FaultlineCore
import Foundation
import Glibc
import Netlink
import RunHistory
import ScenarioFormat
import Testbed
import Testing

/// A host's program runs inside the host: its network namespace, its own /etc/hosts, the
/// scenario's folder, and its process group ends at teardown.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct HostProcessTests {
    private func outputLines(_ history: History, host: String) -> [String] {
        history.events.compactMap {
            if case .processOutput(let h, _, let line) = $0.kind, h == host { return line }
            return nil
        }
    }

    private func exitStatus(_ history: History, host: String) -> FaultlineCore.ExitStatus? {
        history.events.lazy.compactMap {
            if case .processExited(let h, _, let s) = $0.kind, h == host { return s }
            return nil
        }.first
    }

    private func waitFor(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func programRunsInItsHostWithItsOwnHostsFileAndFolder() throws {
        let rootHostsBefore = try String(contentsOfFile: "/etc/hosts", encoding: .utf8)
        try TopologyFixture.withTopology(["client", "api"]) { topology in
            let history = History(clock: { .zero })
            let files = HostFiles.make(
                host: "client", address: try topology.address(of: "client"), nameserver: topology.routerAddress)
            let dir = NSTemporaryDirectory() + "fl-hostfiles-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let context = try HostContext(
                host: "client", namespace: try topology.namespace(of: "client"), mounts: try files.write(to: dir))
            defer { context.stop() }
            let process = try HostProcess(
                host: "client",
                command: "grep -w client /etc/hosts; stat -L -c %i /proc/self/ns/net; pwd; echo \"host=$FAULTLINE_HOST\"",
                context: context, directory: "/tmp", env: ["FAULTLINE_HOST": "client", "PATH": "/usr/bin:/bin"],
                history: history)
            #expect(waitFor { exitStatus(history, host: "client") != nil })
            let lines = outputLines(history, host: "client")
            #expect(exitStatus(history, host: "client") == FaultlineCore.ExitStatus.exited(0))
            // Only the host's own name: the others resolve through the scenario's DNS server.
            #expect(lines.first == "\(try topology.address(of: "client"))\tclient")
            #expect(lines.dropFirst().first == String(try topology.namespace(of: "client").inode()))
            #expect(lines.contains("/tmp"))
            #expect(lines.contains("host=client"))
            #expect(process.status == .exited(0))
        }
        // The private mount never reached the machine's own /etc/hosts.
        #expect(try String(contentsOfFile: "/etc/hosts", encoding: .utf8) == rootHostsBefore)
    }

    @Test func terminateEndsTheWholeProcessGroup() throws {
        try TopologyFixture.withTopology(["worker"]) { topology in
            let history = History(clock: { .zero })
            let context = try HostContext(host: "worker", namespace: try topology.namespace(of: "worker"), mounts: [])
            defer { context.stop() }
            let process = try HostProcess(
                host: "worker", command: "sleep 300 & echo child=$!; sleep 300", context: context, directory: nil,
                env: ["PATH": "/usr/bin:/bin"], history: history)
            #expect(waitFor { outputLines(history, host: "worker").contains { $0.hasPrefix("child=") } })
            let child = try #require(outputLines(history, host: "worker").first.flatMap { Int32($0.dropFirst(6)) })
            #expect(kill(child, 0) == 0)
            process.terminate(grace: .seconds(1))
            #expect(process.status != nil)
            // The background child was in the group: gone too (reaped by init, so poll).
            #expect(waitFor { kill(child, 0) != 0 })
        }
    }

    @Test func outputLinesAreRecordedInOrderPerStream() throws {
        try TopologyFixture.withTopology(["talker"]) { topology in
            let history = History(clock: { .zero })
            let context = try HostContext(host: "talker", namespace: try topology.namespace(of: "talker"), mounts: [])
            defer { context.stop() }
            _ = try HostProcess(
                host: "talker", command: "for i in 1 2 3; do echo out$i; done; echo err >&2; exit 3", context: context,
                directory: nil, env: ["PATH": "/usr/bin:/bin"], history: history)
            #expect(waitFor { exitStatus(history, host: "talker") != nil })
            let stdout = history.events.compactMap { e -> String? in
                if case .processOutput(_, .stdout, let l) = e.kind { return l }
                return nil
            }
            #expect(stdout == ["out1", "out2", "out3"])
            #expect(outputLines(history, host: "talker").contains("err"))
            #expect(exitStatus(history, host: "talker") == FaultlineCore.ExitStatus.exited(3))
        }
    }
}
