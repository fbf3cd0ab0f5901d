import Foundation
import LinuxSystem
import Netlink
import Synchronization

/// The `iptables` program that works in this kernel: nf_tables (`iptables-nft`, Debian's default)
/// where the kernel's nf_tables has the IPv4 family, else x_tables (`iptables-legacy`), as in the
/// guest kernel, whose nf_tables was built without it.
public struct IPTablesVariant: Sendable, Equatable {
    public var path: String
    /// `nf_tables` or `legacy`: the kernel interface the program speaks.
    public var backend: String

    /// Its `-restore` sibling (`iptables-legacy-restore` for `iptables-legacy`), which applies
    /// many rules in one process and one transaction.
    public var restorePath: String {
        let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        let restore = name.hasPrefix("iptables-") ? "iptables-\(name.dropFirst("iptables-".count))-restore" : name + "-restore"
        return folder + "/" + restore
    }

    /// Candidates in order of preference; `iptables` is whatever the system's alternative points to.
    static let candidates = ["iptables", "iptables-nft", "iptables-legacy"]

    private static let chosen = Mutex<IPTablesVariant?>(nil)

    /// The first candidate that lists the filter table's FORWARD chain (read-only) in `thread`'s
    /// namespace; found once per process, since the kernel is the same for every namespace.
    public static func choose(on thread: NamespaceThread) throws -> IPTablesVariant {
        if let known = chosen.withLock({ $0 }) { return known }
        var seen: Set<String> = []
        var refusals: [String] = []
        for name in candidates {
            guard let path = ExternalCommand.locate(name) else { continue }
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard seen.insert(real).inserted else { continue }
            let outcome = try thread.run { try ExternalCommand.run(path, ["-w", "-S", "FORWARD"]) }
            if outcome.succeeded {
                let variant = IPTablesVariant(path: path, backend: real.contains("legacy") ? "legacy" : "nf_tables")
                chosen.withLock { $0 = variant }
                return variant
            }
            refusals.append("\(name): \(outcome.standardError.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard !refusals.isEmpty else { throw FaultError(.missingTool("iptables", debianPackage: "iptables")) }
        throw FaultError(.toolFailed(command: "iptables -w -S FORWARD (every variant)", status: 1,
                                     standardError: refusals.joined(separator: "; ")))
    }
}
