import Faults
import Foundation
import Glibc
import Guest
import LinuxSystem
import Netlink
import Reports
import Testbed

/// One thing the machine can or cannot do, found by trying it.
public struct Capability: Sendable, Codable, Equatable {
    public var name: String
    public var available: Bool
    /// What was tried and what came back.
    public var detail: String
    /// How to get it when missing (a Debian package, a privilege).
    public var remedy: String?
}

/// Probes what this machine can do, by trying each mechanism in a throwaway namespace — never by
/// reading kernel config files, which many machines lack.
public enum MachineProbe {
    /// Every probe `faultline doctor` runs. Needs root for most; without it they say so.
    public static func run() -> [Capability] {
        var caps: [Capability] = []
        let root = getuid() == 0
        caps.append(Capability(
            name: "root", available: root, detail: root ? "running as root" : "running as uid \(getuid())",
            remedy: root ? nil : "run as root (sudo): namespaces, routes and rules need CAP_SYS_ADMIN and CAP_NET_ADMIN"))
        caps.append(contentsOf: root ? namespaceProbes() : [])
        caps.append(tunProbe())
        caps.append(cgroupProbe())
        if GuestMarker.current == nil { caps.append(guestProbe()) }
        return caps
    }

    /// Boots the guest kernel with `true` as its command: what `faultline run --kernel guest` needs.
    static func guestProbe() -> Capability {
        let name = "guest kernel"
        switch GuestKernel.locate() {
        case .failure(let error):
            return Capability(name: name, available: false, detail: "\(error) (for faultline run --kernel guest)", remedy: error.remedy)
        case .success(let kernel):
            do {
                let outcome = try GuestLauncher(kernel: kernel, memoryMegabytes: 256).run(["true"])
                let ok = outcome.status.exitCode == 0 && outcome.status.failure == nil
                let detail = ok
                    ? String(format: "user-mode Linux %@ booted and ran a command in %.1f s (faultline run --kernel guest: netem, cgroup v2, x_tables; no root needed)",
                             kernel.release, outcome.wallSeconds)
                    : "user-mode Linux \(kernel.release) booted but could not run a command: \(outcome.status.failure ?? "exit \(outcome.status.exitCode)")"
                return Capability(name: name, available: ok, detail: detail, remedy: ok ? nil : "see faultline guest --verbose -- true")
            } catch {
                return Capability(name: name, available: false, detail: "user-mode Linux \(kernel.release) did not boot: \(error)",
                                  remedy: "user-mode Linux needs ptrace and an executable tmpfs (/dev/shm or $TMPDIR)")
            }
        }
    }

    /// The kernel release (`uname -r`).
    public static var kernelRelease: String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private static func namespaceProbes() -> [Capability] {
        var caps: [Capability] = []
        let runID = "dr" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
        let plan: TopologyPlan
        do {
            plan = try TopologyPlan.make(runID: runID, hosts: ["a"], network: .defaultTestbed)
        } catch {
            return [Capability(name: "network namespaces", available: false, detail: "\(error)", remedy: nil)]
        }
        let topology: Topology
        do {
            topology = try Topology.build(plan)
        } catch {
            _ = Reaper.reap(namespaces: [plan.routerNamespace] + plan.hosts.map(\.namespace))
            return [Capability(
                name: "network namespaces and veth", available: false, detail: "\(error)",
                remedy: "a kernel with CONFIG_NET_NS and CONFIG_VETH; libnl-route-3-200 (apt-get install libnl-route-3-200)")]
        }
        defer {
            try? topology.teardown()
            _ = Reaper.reap(namespaces: [plan.routerNamespace] + plan.hosts.map(\.namespace))
        }
        caps.append(Capability(
            name: "network namespaces and veth", available: true,
            detail: "built a 1-host testbed through libnl (\(plan.routerNamespace.name))", remedy: nil))
        let nft = nftablesProbe(topology)
        caps.append(nft)
        if nft.available {
            for (name, purpose) in [("netfilter REJECT tcp-reset", "partition modes reject and reset"), ("netfilter NFQUEUE", "the userspace link-fault engine")] {
                caps.append(Capability(name: name, available: true, detail: "through nf_tables in-process (for \(purpose))", remedy: nil))
            }
        } else {
            caps.append(iptablesProbe(topology, rule: ["-A", "FORWARD", "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"],
                                      name: "netfilter REJECT tcp-reset", purpose: "partition mode reset"))
            caps.append(iptablesProbe(topology, rule: ["-A", "FORWARD", "-j", "NFQUEUE", "--queue-num", "7", "--queue-bypass"],
                                      name: "netfilter NFQUEUE", purpose: "the userspace link-fault engine"))
        }
        caps.append(contentsOf: linkProbes(topology))
        return caps
    }

    /// netem, htb and tbf tried on `lo` of the throwaway router namespace through libnl, and an
    /// NFQUEUE bound there; the last entry says which engine link faults use.
    private static func linkProbes(_ topology: Topology) -> [Capability] {
        let link = LinkCapabilities.probe(backend: topology.backend, namespace: topology.routerNamespace)
        let queueProblem = LinkCapabilities.queueProblem(on: topology.routerThread)
        let rows: [(String, Bool, String)] = [
            ("qdisc netem", link.netem, "for the kernel link engine"),
            ("qdisc htb", link.htb, "for per-pair rate and netem classes"),
            ("qdisc tbf", link.tbf, "for rate"),
        ]
        var caps = rows.map { name, ok, purpose in
            Capability(name: name, available: ok, detail: "\(link.details[String(name.dropFirst(6))] ?? "") (\(purpose))",
                       remedy: ok ? nil : "a kernel with sch_\(name.dropFirst(6)) (modprobe sch_\(name.dropFirst(6)))")
        }
        caps.append(Capability(name: "NFQUEUE reader", available: queueProblem == nil,
                               detail: queueProblem ?? "bound and unbound a queue through netlink (userspace link engine)",
                               remedy: queueProblem == nil ? nil : "modprobe nfnetlink_queue"))
        caps.append(Capability(name: "link engine (auto)", available: link.netem || queueProblem == nil,
                               detail: link.autoEngineSummary, remedy: nil))
        return caps
    }

    /// A reject (TCP reset) and an NFQUEUE rule added and deleted through libnftnl in the
    /// throwaway router namespace: whether partitions and the delay line need no iptables here.
    private static func nftablesProbe(_ topology: Topology) -> Capability {
        let name = "nf_tables (libnftnl)"
        if let problem = NetfilterChoice.nftablesProblem(on: topology.routerThread) {
            return Capability(name: name, available: false, detail: problem + "; partitions and NFQUEUE fall back to iptables-legacy",
                              remedy: "a kernel with nf_tables for IPv4 (CONFIG_NF_TABLES_IPV4), or apt-get install iptables")
        }
        let rules = [
            IPTablesRule(chain: "FORWARD", source: nil, destination: IPv4Prefix(address: 0xC612_00FE), transport: "tcp", target: .reject(with: .tcpReset)),
            IPTablesRule(chain: "FORWARD", source: nil, destination: IPv4Prefix(address: 0xC612_00FE), target: .queue(number: 7)),
        ]
        do {
            let netfilter = NFTablesNetfilter(topology: topology)
            try netfilter.insert(rules, in: topology.plan.routerNamespace)
            try netfilter.delete(rules, in: topology.plan.routerNamespace)
            return Capability(name: name, available: true,
                              detail: "added and deleted reject (tcp reset) and queue rules in a throwaway namespace, in-process", remedy: nil)
        } catch {
            return Capability(name: name, available: false, detail: "\(error)", remedy: "a kernel with nft_reject and nft_queue")
        }
    }

    private static func iptablesProbe(_ topology: Topology, rule: [String], name: String, purpose: String) -> Capability {
        guard ExternalCommand.locate("iptables") != nil || ExternalCommand.locate("iptables-legacy") != nil else {
            return Capability(name: name, available: false, detail: "no iptables binary (needed for \(purpose))",
                              remedy: "apt-get install iptables")
        }
        do {
            let variant = try IPTablesVariant.choose(on: topology.routerThread)
            let outcome = try topology.routerThread.run { try ExternalCommand.run(variant.path, ["-w"] + rule) }
            return Capability(
                name: name, available: outcome.succeeded,
                detail: outcome.succeeded ? "rule accepted by \((variant.path as NSString).lastPathComponent) (\(variant.backend)) in a throwaway namespace (for \(purpose))"
                    : "rule refused: \(outcome.standardError.trimmingCharacters(in: .whitespacesAndNewlines))",
                remedy: outcome.succeeded ? nil : "a kernel with the netfilter module for this target")
        } catch {
            return Capability(name: name, available: false, detail: "\(error)", remedy: "apt-get install iptables")
        }
    }

    private static func tunProbe() -> Capability {
        let fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)
        if fd >= 0 { close(fd) }
        return Capability(
            name: "/dev/net/tun", available: fd >= 0,
            detail: fd >= 0 ? "opened" : "cannot open: \(String(cString: strerror(errno)))",
            remedy: fd >= 0 ? nil : "load the tun module (modprobe tun)")
    }

    /// Finds the cgroup engine and tries it: a throwaway group gets a quota, is read and removed.
    static func cgroupProbe() -> Capability {
        let controller: any CgroupController
        switch CgroupProbe.detect() {
        case .failure(let error):
            return Capability(name: "cgroup cpu controller", available: false, detail: "\(error)",
                              remedy: "mount a cgroup hierarchy with the cpu controller (v2 cpu.max or v1 cpu + cpuacct)")
        case .success(let c):
            controller = c
        }
        let runID = "dr" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
        let cgroup = HostCgroup(host: "probe", runID: runID, controller: controller)
        let all = cgroup.directories + controller.directories(of: HostCgroup.runGroup(runID: runID))
        defer { CgroupCleanup.remove(directories: all) }
        do {
            try cgroup.create()
            try controller.setCPULimit(cgroup.group, fraction: 0.2)
            try controller.setCPULimit(cgroup.group, fraction: nil)
            _ = try cgroup.usageSeconds()
        } catch {
            return Capability(name: "cgroup cpu controller", available: false,
                              detail: "\(controller.engine) found but a throwaway group failed: \(error)",
                              remedy: "run as root on a machine that delegates the cpu controller")
        }
        return Capability(name: "cgroup cpu controller", available: true,
                          detail: "\(controller.engine): \(Self.describe(controller)) (made, capped and removed a throwaway group)",
                          remedy: nil)
    }

    /// Where the engine's files are.
    static func describe(_ controller: any CgroupController) -> String {
        switch controller {
        case let v1 as CgroupV1: "cpu.cfs_quota_us under \(v1.cpuRoot), cpuacct.usage under \(v1.cpuacctRoot)"
        case let v2 as CgroupV2: "cpu.max and cpu.stat under \(v2.root)"
        default: controller.engine
        }
    }

    /// The cgroup engine's name, or nil without one (for the report's machine facts).
    static var cgroupEngine: String? {
        if case .success(let c) = CgroupProbe.detect() { return c.engine }
        return nil
    }
}

extension MachineFacts {
    /// The facts every report carries, found cheaply (no namespaces made).
    public static func current() -> MachineFacts {
        var caps: [String: String] = [:]
        caps["iptables"] = ExternalCommand.locate("iptables") ?? "missing"
        caps["cgroup"] = MachineProbe.cgroupEngine ?? "missing"
        return MachineFacts(kernel: MachineProbe.kernelRelease, capabilities: caps, guest: GuestMarker.current)
    }
}
