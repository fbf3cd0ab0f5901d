import Foundation
@testable import Guest
import Testing

struct ModuleLoaderTests {
    /// A modules folder with a `modules.dep` and `modules.builtin` of its own.
    static func folder(dep: String, builtin: String = "") throws -> String {
        let dir = NSTemporaryDirectory() + "fl-modules-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try dep.write(toFile: dir + "/modules.dep", atomically: true, encoding: .utf8)
        try builtin.write(toFile: dir + "/modules.builtin", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func dependenciesLoadFirstAndEachModuleOnce() throws {
        let dir = try Self.folder(dep: """
            kernel/net/sched/sch_netem.ko:
            kernel/net/ipv4/netfilter/ipt_REJECT.ko: kernel/net/ipv4/netfilter/nf_reject_ipv4.ko kernel/net/netfilter/x_tables.ko
            kernel/net/ipv4/netfilter/nf_reject_ipv4.ko:
            kernel/net/netfilter/x_tables.ko:
            kernel/net/ipv4/netfilter/iptable_filter.ko: kernel/net/ipv4/netfilter/ip_tables.ko kernel/net/netfilter/x_tables.ko
            kernel/net/ipv4/netfilter/ip_tables.ko: kernel/net/netfilter/x_tables.ko
            """, builtin: "kernel/net/core/veth.ko\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var loader = try ModuleLoader(directory: dir)
        var order: [String] = []
        for module in ["ipt_REJECT", "iptable-filter", "veth", "sch_netem", "ipt_REJECT"] {
            try loader.load(module) { name, file in
                #expect(file.hasPrefix(dir + "/kernel/") && file.hasSuffix("/\(name).ko"))
                order.append(name)
            }
        }
        #expect(order == ["nf_reject_ipv4", "x_tables", "ipt_REJECT", "ip_tables", "iptable_filter", "sch_netem"])
    }

    @Test func anUnknownModuleNamesTheListItWasLookedFor() throws {
        let dir = try Self.folder(dep: "kernel/net/sched/sch_netem.ko:\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var loader = try ModuleLoader(directory: dir)
        #expect(throws: GuestError.unavailable("kernel module sch_cake", remedy: "not in \(dir)/modules.dep")) {
            try loader.load("sch_cake") { _, _ in }
        }
    }

    @Test(arguments: [("kernel/net/sched/sch_netem.ko", "sch_netem"), ("kernel/x/nf-reject.ko.xz", "nf_reject"), ("tun", "tun")])
    func moduleNamesComeFromTheirFiles(path: String, name: String) {
        #expect(ModuleLoader.name(of: path) == name)
    }
}
