import Foundation
import LinuxSystem
import Netlink
import Testing

@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct NamespaceSpawnTests {
    /// iptables for the `reset` partition is spawned from a namespace's thread; this is what makes it land there.
    @Test func childSpawnedFromANamespaceThreadStartsInThatNamespace() throws {
        let ns = try NetworkNamespace.create("fl-\(TopologyFixture.runID())-spawn")
        defer { try? ns.delete() }
        let thread = try NamespaceThread(ns)
        defer { thread.stop() }
        let outcome = try thread.run { try ExternalCommand.run("/bin/sh", ["-c", "readlink /proc/self/ns/net >&2"]) }
        #expect(outcome.succeeded)
        #expect(outcome.standardError.trimmingCharacters(in: .whitespacesAndNewlines) == "net:[\(try ns.inode())]")
    }

    @Test func sysctlUnderProcFollowsTheCallingThreadsNamespace() throws {
        let ns = try NetworkNamespace.create("fl-\(TopologyFixture.runID())-sysctl")
        defer { try? ns.delete() }
        let thread = try NamespaceThread(ns)
        defer { thread.stop() }
        let backend = LibNLBackend()
        try backend.attach(thread)
        defer { backend.detach(ns) }
        let rootBefore = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_forward", encoding: .utf8)
        try backend.setSysctl("net/ipv4/ip_forward", to: rootBefore.hasPrefix("1") ? "0" : "1", in: ns)
        let inside = try thread.run { try String(contentsOfFile: "/proc/sys/net/ipv4/ip_forward", encoding: .utf8) }
        #expect(inside != rootBefore)
        #expect(try String(contentsOfFile: "/proc/sys/net/ipv4/ip_forward", encoding: .utf8) == rootBefore)
    }
}
