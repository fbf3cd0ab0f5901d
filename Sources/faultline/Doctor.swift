import ArgumentParser
import Foundation
import Reports
import Runner

/// `faultline doctor`: what this machine can do, and which engine each fault kind will use.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Probe what this machine can do and say which engine each fault kind will use.")

    @Flag(help: "Print the findings as JSON.")
    var json = false

    func run() throws {
        let caps = MachineProbe.run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(caps), as: UTF8.self))
            return
        }
        print("kernel \(MachineFacts.current().kernelDescription)")
        for c in caps {
            print("\(c.available ? "  ok " : "  -- ") \(c.name): \(c.detail)")
            if let r = c.remedy, !c.available { print("        to get it: \(r)") }
        }
        print("\nengines:")
        let has = { (name: String) in caps.first { $0.name == name }?.available ?? false }
        for line in EngineChoice.describe(has: has) { print("  \(line)") }
        if caps.contains(where: { !$0.available && $0.name == "root" }) { throw ExitCode(2) }
    }
}

/// Which mechanism each fault kind uses on this machine.
enum EngineChoice {
    static func describe(has: (String) -> Bool) -> [String] {
        let ns = has("network namespaces and veth")
        let cg = has("cgroup cpu controller")
        return [
            "partition drop:   " + (ns ? "FIB rule blackhole in the router namespace (libnl)" : "unavailable: no network namespaces"),
            "partition reject: " + (has("nf_tables (libnftnl)")
                ? "nf_tables reject with icmp host-unreachable in the router's forward chain (libnftnl, in-process)"
                : has("netfilter REJECT tcp-reset") ? "iptables REJECT --reject-with icmp-host-unreachable in the router's FORWARD chain (x_tables)"
                : "unavailable: needs nf_tables for IPv4, or iptables (apt-get install iptables)"),
            "partition reset:  " + (has("nf_tables (libnftnl)")
                ? "nf_tables reject with tcp reset in the router's forward chain (libnftnl, in-process)"
                : has("netfilter REJECT tcp-reset") ? "iptables REJECT --reject-with tcp-reset in the router's FORWARD chain (x_tables)"
                : "unavailable: needs nf_tables for IPv4, or iptables (apt-get install iptables)"),
            "link (auto):      " + (has("qdisc netem") ? "netem under HTB classes (libnl); userspace NFQUEUE if deterministic: true"
                : has("NFQUEUE reader") ? "userspace NFQUEUE delay line (netem is not in this kernel)" : "unavailable: no netem and no NFQUEUE"),
            "link rate:        " + (has("qdisc htb") ? "HTB class + u32 filter per pair on the router's egress (libnl)" : "unavailable: no htb"),
            "cpu load:         " + (cg ? "faultline _burn workers in the host's cgroup, pinned to the host's CPUs"
                : "unavailable: no cgroup cpu controller"),
            "cpu limit:        " + (cg ? "CFS quota on the host's cgroup (see the cgroup line above)"
                : "unavailable: no cgroup cpu controller"),
            "process:          " + (cg ? "signals to the host's process group (pause = STOP/CONT); restarts join the host's cgroup"
                : "signals to the host's process group; no cgroup, so no per-host CPU accounting"),
            "guest mode:       " + (has("guest kernel") ? "faultline run --kernel guest runs scenarios in a user-mode Linux guest kernel (no root needed)"
                : "unavailable (see the guest kernel line above)"),
        ]
    }
}
