import Glibc
import LinuxSystem
import Netlink
import Testing

@Suite(.enabled(if: getuid() == 0, "needs root: creates network namespaces"))
struct LibNLBackendTests {
    /// A namespace with a thread and an attached backend, removed after `body` even when it throws.
    func withNamespace(_ body: (LibNLBackend, NetworkNamespace) throws -> Void) throws {
        let ns = try NetworkNamespace.create("fl-n\(String(UInt32.random(in: 0...0xFFFFFF), radix: 16))-lib")
        defer { try? ns.delete() }
        let thread = try NamespaceThread(ns)
        defer { thread.stop() }
        let backend = LibNLBackend()
        try backend.attach(thread)
        defer { backend.detach(ns) }
        try body(backend, ns)
    }

    @Test func addingAnExistingRuleNamesTheRuleAndNLE_EXIST() throws {
        try withNamespace { backend, ns in
            let rule = FIBRule(from: IPv4Prefix(address: 0xC612_0002), to: IPv4Prefix(address: 0xC612_0003), action: .blackhole, priority: 100)
            try backend.addRule(rule, in: ns)
            #expect(try backend.rules(in: ns).contains { $0.contains("198.18.0.3") })
            do {
                try backend.addRule(rule, in: ns)
                Issue.record("second add succeeded")
            } catch let error as NetlinkError {
                #expect(error.description == "adding FIB rule from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100 in namespace \(ns.name): Object exists (libnl: NLE_EXIST)")
            }
            try backend.deleteRule(rule, in: ns)
            try backend.deleteRule(rule, in: ns)  // already gone: fine
            #expect(try !backend.rules(in: ns).contains { $0.contains("198.18.0.3") })
        }
    }

    @Test func vethAddressAndRouteLandInTheNamespace() throws {
        try withNamespace { backend, ns in
            try backend.setLinkUp("lo", in: ns)
            try backend.addVethPair(VethPair(name: "v0", peerName: "v1"), in: ns)
            try backend.setLinkUp("v1", in: ns)
            try backend.addAddress(InterfaceAddress(IPv4Prefix(address: 0xC612_0002), device: "v0"), in: ns)
            try backend.addRoute(Route(to: IPv4Prefix(address: 0xC612_0009), via: 0xC612_0001, device: "v0", onlink: true), in: ns)
            #expect(try backend.interfaceIndex(of: "v0", in: ns) > 1)
            #expect(throws: NetlinkError.self) { try backend.interfaceIndex(of: "nope", in: ns) }
        }
    }

    @Test func invalidInterfaceNamesAreRefusedBeforeSending() throws {
        try withNamespace { backend, ns in
            #expect(throws: NetlinkError.self) { try backend.addVethPair(VethPair(name: "a-name-that-is-too-long", peerName: "p"), in: ns) }
            #expect(throws: NetlinkError.self) { try backend.setLinkUp("a/b", in: ns) }
        }
    }

    @Test func callsOnAnUnattachedNamespaceFail() {
        #expect(throws: NetlinkError.self) { try LibNLBackend().setLinkUp("lo", in: NetworkNamespace(name: "fl-never")) }
    }
}
