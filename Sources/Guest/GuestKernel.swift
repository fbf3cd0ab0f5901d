import Foundation
import Glibc

/// Debian's user-mode Linux (package `user-mode-linux`): a Linux kernel built to run as an
/// ordinary process, with its modules in a folder of its own. It gives what the host kernel may
/// lack — netem, cgroup v2, x_tables — without KVM and without host root.
public struct GuestKernel: Sendable, Equatable {
    /// `/usr/bin/linux.uml`.
    public var executable: String
    /// The kernel release its modules are built for: `6.1.176`.
    public var release: String
    /// `/usr/lib/uml/modules/6.1.176`: holds `modules.dep` and `kernel/…`.
    public var modulesDirectory: String

    public init(executable: String, release: String, modulesDirectory: String) {
        self.executable = executable
        self.release = release
        self.modulesDirectory = modulesDirectory
    }

    /// Where Debian puts the kernel and its modules.
    static let executables = ["/usr/bin/linux.uml", "/usr/bin/linux"]
    static let modulesRoot = "/usr/lib/uml/modules"
    static let remedy = "apt-get install user-mode-linux"

    /// The installed guest kernel, or why there is none and how to get it.
    public static func locate() -> Result<GuestKernel, GuestError> {
        guard let executable = executables.first(where: { access($0, X_OK) == 0 }) else {
            return .failure(.unavailable("the guest kernel (user-mode Linux, /usr/bin/linux.uml)", remedy: remedy))
        }
        let releases = ((try? FileManager.default.contentsOfDirectory(atPath: modulesRoot)) ?? [])
            .filter { access("\(modulesRoot)/\($0)/modules.dep", R_OK) == 0 }
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        guard let release = releases.last else {
            return .failure(.unavailable("the guest kernel's modules (\(modulesRoot)/<release>/modules.dep)", remedy: remedy))
        }
        return .success(GuestKernel(executable: executable, release: release, modulesDirectory: "\(modulesRoot)/\(release)"))
    }

    /// The modules every guest loads at boot: what Faultline's engines need and the kernel will
    /// not load by itself (there is no modprobe helper in the guest). Their dependencies come
    /// from `modules.dep`.
    public static let bootModules = [
        // Testbed: veth pairs, TUN.
        "veth", "tun",
        // Link faults: netem under HTB classes picked by u32 filters; tbf.
        "sch_netem", "sch_htb", "sch_tbf", "cls_u32",
        // Partition reject/reset and NFQUEUE steering through x_tables (iptables-legacy): this
        // kernel's nf_tables has no IPv4 or inet family.
        "ip_tables", "iptable_filter", "ipt_REJECT", "xt_NFQUEUE", "xt_multiport", "xt_tcpudp",
        "xt_statistic", "xt_comment", "nfnetlink_queue",
    ]
}
