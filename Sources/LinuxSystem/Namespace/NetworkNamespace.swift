import CLinux
import Foundation
import Glibc

/// A named network namespace, pinned by a bind mount at `/run/netns/NAME` so that `ip netns`
/// sees it too (for debugging) and it outlives the thread that created it.
public struct NetworkNamespace: Sendable, Hashable, CustomStringConvertible {
    public static let directory = "/run/netns"

    public let name: String
    public var path: String { "\(Self.directory)/\(name)" }
    public var description: String { name }

    public init(name: String) { self.name = name }

    /// Creates the namespace. Equivalent to: `ip netns add NAME`.
    ///
    /// `unshare(CLONE_NEWNET)` runs on a short-lived thread of its own, since it moves only the
    /// calling thread; the namespace is then pinned by bind-mounting that thread's `ns/net`.
    public static func create(_ name: String) throws -> NetworkNamespace {
        let ns = NetworkNamespace(name: name)
        try prepareDirectory()
        let fd = open(ns.path, O_RDONLY | O_CREAT | O_EXCL, 0o444)
        guard fd >= 0 else { throw SystemCallError("creating namespace file", ns.path) }
        close(fd)
        do {
            try onThrowawayThread {
                try check("unsharing network namespace for", name) { fl_unshare(FL_CLONE_NEWNET) }
                let own = "/proc/self/task/\(fl_gettid())/ns/net"
                try check("pinning namespace at", ns.path) { fl_mount(own, ns.path, "none", FL_MS_BIND, nil) }
            }
        } catch {
            unlink(ns.path)
            throw error
        }
        return ns
    }

    /// Removes the name; the namespace itself dies once no process or socket holds it.
    /// Equivalent to: `ip netns delete NAME`. Removing a name that is already gone is not an error.
    public func delete() throws {
        if fl_umount2(path, FL_MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT {
            throw SystemCallError("unmounting namespace", path)
        }
        if unlink(path) != 0 && errno != ENOENT {
            throw SystemCallError("removing namespace file", path)
        }
    }

    /// Whether the name is pinned (the file exists).
    public var exists: Bool { access(path, F_OK) == 0 }

    /// The namespace's inode number, which identifies it in `/proc/PID/ns/net`.
    public func inode() throws -> UInt64 {
        var st = stat()
        guard stat(path, &st) == 0 else { throw SystemCallError("reading namespace", path) }
        return UInt64(st.st_ino)
    }

    /// Every pinned namespace whose name starts with `prefix`.
    public static func list(prefix: String) -> [NetworkNamespace] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted().map(NetworkNamespace.init(name:))
    }

    /// Makes `/run/netns` a shared mount point, as iproute2 does, so namespace pins made here
    /// are visible in every mount namespace that later shares it.
    private static func prepareDirectory() throws {
        mkdir(directory, 0o755)
        if fl_mount("", directory, "none", FL_MS_SHARED | FL_MS_REC, nil) == 0 { return }
        guard errno == EINVAL else { throw SystemCallError("making shared mount", directory) }
        try check("bind-mounting", directory) { fl_mount(directory, directory, "none", FL_MS_BIND | FL_MS_REC, nil) }
        try check("making shared mount", directory) { fl_mount("", directory, "none", FL_MS_SHARED | FL_MS_REC, nil) }
    }
}

/// Runs `body` on a fresh thread that ends afterwards, so namespace changes it makes die with it.
func onThrowawayThread(_ body: @escaping @Sendable () throws -> Void) throws {
    let failure = LockedError()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        do { try body() } catch { failure.set(error) }
        done.signal()
    }
    thread.start()
    done.wait()
    if let error = failure.get() { throw error }
}
