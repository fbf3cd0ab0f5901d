import CLinux
import Foundation
import Glibc
import LinuxSystem

/// A thread that sits where a host's programs live: in the host's network namespace and in a
/// private mount namespace where the host's own `/etc/hosts` and `/etc/resolv.conf` are mounted.
///
/// Programs spawned from it inherit both. A thread may `unshare(CLONE_NEWNS)` on its own (it
/// implies `CLONE_FS`, which a thread can drop), so the rest of the process is untouched.
public final class HostContext: Sendable {
    public let host: String
    public let thread: NamespaceThread

    public init(host: String, namespace: NetworkNamespace, mounts: [BindMount]) throws {
        self.host = host
        self.thread = try NamespaceThread(namespace) {
            try check("making a private mount namespace for host", host) { fl_unshare(FL_CLONE_NEWNS) }
            // Nothing mounted here may propagate back to the machine's mount namespace.
            try check("making mounts private for host", host) { fl_mount("none", "/", nil, FL_MS_SLAVE | FL_MS_REC, nil) }
            for m in mounts where access(m.target, F_OK) == 0 {
                try check("bind-mounting \(m.source) for host \(host) over", m.target) {
                    fl_mount(m.source, m.target, "none", FL_MS_BIND, nil)
                }
            }
        }
    }

    /// Starts a program inside the host (see ``Spawn/start(_:env:directory:capture:)``); with a
    /// `cgroup`, the program joins it before it execs (see ``HostCgroup/joining(_:)``).
    public func spawn(
        _ argv: [String], env: [String: String], directory: String?, cgroup: HostCgroup? = nil
    ) throws -> SpawnedChild {
        let full = cgroup?.joining(argv) ?? argv
        return try thread.run { try Spawn.start(full, env: env, directory: directory) }
    }

    public func stop() { thread.stop() }
}
