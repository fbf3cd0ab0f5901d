import Foundation
import Glibc
import LinuxSystem

/// What one reap removed.
public struct ReapReport: Sendable, CustomStringConvertible {
    public var runID: String?
    public var namespaces: [String] = []
    public var cgroups: [String] = []
    public var killedPIDs: [Int32] = []
    public var errors: [String] = []

    public var description: String {
        var s = "run \(runID ?? "(no state)"): removed \(namespaces.count) namespace(s)"
        if !namespaces.isEmpty { s += " [\(namespaces.joined(separator: ", "))]" }
        if !cgroups.isEmpty { s += ", removed \(cgroups.count) cgroup folder(s)" }
        if !killedPIDs.isEmpty { s += ", ended \(killedPIDs.count) process(es) \(killedPIDs)" }
        for e in errors { s += "\n  error: \(e)" }
        return s
    }
}

/// Removes what dead runs left behind. Every rule lives inside a run's namespaces and every host
/// process (and stress worker) inside the run's cgroups, so ending the processes in both, resuming
/// paused ones first, and deleting the namespaces and cgroup folders removes all of it.
public enum Reaper {
    /// The prefix of every namespace Faultline creates.
    public static let namespacePrefix = "fl-"

    /// Reaps every registered run whose owner is gone; with `orphans`, also every `fl-` namespace
    /// that no live run claims (e.g. left by a crash before its state was written).
    public static func reapDeadRuns(orphans: Bool = false) -> [ReapReport] {
        var reports: [ReapReport] = []
        let states = RunRegistry.all()
        var claimed = Set<String>()
        for state in states {
            if state.ownerIsAlive {
                claimed.formUnion(state.namespaces)
                continue
            }
            var report = reap(namespaces: state.namespaces.map(NetworkNamespace.init(name:)), cgroups: state.cgroups)
            report.runID = state.runID
            RunRegistry.unregister(runID: state.runID)
            reports.append(report)
        }
        if orphans {
            let left = NetworkNamespace.list(prefix: namespacePrefix).filter { !claimed.contains($0.name) }
            if !left.isEmpty { reports.append(reap(namespaces: left)) }
        }
        return reports
    }

    /// Ends every process whose network namespace is one of `namespaces` (matched by inode, so
    /// only processes that live inside the run's own namespaces are touched), then deletes them;
    /// then ends every process left in the `cgroups` folders and removes those.
    public static func reap(namespaces: [NetworkNamespace], cgroups: [String] = []) -> ReapReport {
        var report = ReapReport()
        let existing = namespaces.filter(\.exists)
        var inodes = Set<UInt64>()
        for ns in existing {
            if let i = try? ns.inode() { inodes.insert(i) }
        }
        report.killedPIDs = killProcesses(inNamespaces: inodes)
        for ns in existing {
            do {
                try ns.delete()
                report.namespaces.append(ns.name)
            } catch {
                report.errors.append("\(error)")
            }
        }
        let present = cgroups.filter { access($0, F_OK) == 0 }
        report.errors += CgroupCleanup.remove(directories: present)
        report.cgroups = present.filter { access($0, F_OK) != 0 }
        return report
    }

    /// SIGKILLs every process (other than this one) living in one of the namespaces, and waits
    /// up to a second for them to go.
    public static func killProcesses(inNamespaces inodes: Set<UInt64>) -> [Int32] {
        guard !inodes.isEmpty else { return [] }
        var killed: [Int32] = []
        for pid in processes(inNamespaces: inodes) where pid != getpid() {
            // A stopped process is killed by SIGKILL too; SIGCONT first for its children's sake.
            kill(pid, SIGCONT)
            if kill(pid, SIGKILL) == 0 { killed.append(pid) }
        }
        for _ in 0..<100 where !processes(inNamespaces: inodes).filter({ $0 != getpid() }).isEmpty {
            usleep(10_000)
        }
        return killed
    }

    /// Every live process whose network namespace has one of these inodes.
    public static func processes(inNamespaces inodes: Set<UInt64>) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            var st = stat()
            guard stat("/proc/\(pid)/ns/net", &st) == 0 else { return false }
            // Zombies keep no namespace link worth killing; skip them.
            return inodes.contains(UInt64(st.st_ino)) && !isZombie(pid)
        }
    }

    /// Whether `pid` is a running (not yet ended, or ended but unreaped) process.
    public static func isLive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 && !isZombie(pid) }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = s.lastIndex(of: ")") else { return true }
        return s[s.index(after: close)...].dropFirst().first == "Z"
    }
}
