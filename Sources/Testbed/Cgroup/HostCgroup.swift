import Foundation
import Glibc

/// One host's cgroup, `faultline/<runID>/<host>`: its processes join it before they exec, its
/// CPU can be capped and is accounted for.
public struct HostCgroup: Sendable {
    public let host: String
    /// The group's path relative to the hierarchy root.
    public let group: String
    public let controller: any CgroupController

    /// `faultline/<runID>`: the folder holding every host group of one run.
    public static func runGroup(runID: String) -> String { "faultline/\(runID)" }

    public init(host: String, runID: String, controller: any CgroupController) {
        self.host = host
        self.group = "\(Self.runGroup(runID: runID))/\(host)"
        self.controller = controller
    }

    /// Every folder of the group (what `RunState` records for the reaper).
    public var directories: [String] { controller.directories(of: group) }

    public func create() throws { try controller.create(group) }

    /// CPU time the host's processes have used so far, in seconds.
    public func usageSeconds() throws -> Double { Double(try controller.usage(of: group)) / 1e9 }

    /// `argv` behind a tiny `sh` that writes its own pid into the group's `cgroup.procs` and then
    /// execs `argv`: the program is in the group before its first instruction, and so is everything
    /// it forks. (A pid written after `posix_spawn` returns would leave a window where early
    /// children escape; `CLONE_INTO_CGROUP` would close it too, but exists only on v2.)
    public func joining(_ argv: [String]) -> [String] {
        let writes = controller.procsFiles(of: group).map { "echo $$ > \(Self.quoted($0))" }
        let script = (writes + ["exec \"$@\""]).joined(separator: " && ")
        return ["/bin/sh", "-c", script, "faultline-join"] + argv
    }

    /// Ends every process in the group and removes it (see ``CgroupCleanup/remove(directories:)``).
    public func remove() -> [String] { CgroupCleanup.remove(directories: directories) }

    static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// Removal of cgroup folders, for teardown and for the reaper (which knows only the folders).
public enum CgroupCleanup {
    /// For each folder, deepest first: resumes and SIGKILLs every process still in it, waits for
    /// them to go, then removes it. Missing folders are skipped; returns the errors met.
    @discardableResult
    public static func remove(directories: [String]) -> [String] {
        var errors: [String] = []
        for dir in directories.sorted(by: { $0.count > $1.count }) where access(dir, F_OK) == 0 {
            for pid in processes(in: dir) where pid != getpid() {
                // A stopped process dies of SIGKILL too; SIGCONT first so its waiters see it go.
                kill(pid, SIGCONT)
                kill(pid, SIGKILL)
            }
            var removed = false
            for _ in 0..<200 {
                if rmdir(dir) == 0 || errno == ENOENT {
                    removed = true
                    break
                }
                // EBUSY while killed processes are still on their way out.
                usleep(10_000)
            }
            if !removed { errors.append("removing cgroup \(dir): \(String(cString: strerror(errno)))") }
        }
        // The shared `faultline` folder goes with the last run that used it; while another run
        // still has groups in it, rmdir fails (EBUSY) and it stays, as it should.
        let parents = Set(directories.map { ($0 as NSString).deletingLastPathComponent })
        for parent in parents where (parent as NSString).lastPathComponent == "faultline" { rmdir(parent) }
        return errors
    }

    /// The pids listed in a folder's `cgroup.procs`.
    public static func processes(in dir: String) -> [Int32] {
        let text = (try? String(contentsOfFile: dir + "/cgroup.procs", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { Int32($0) }
    }
}
