import Foundation
import Glibc

/// The one seam in front of the kernel's cgroup files: what Faultline needs from a cgroup
/// hierarchy to give each host its own group, cap its CPU and account for it.
///
/// Two implementations, chosen at run time by ``CgroupProbe/detect(mounts:)``: ``CgroupV2``
/// (`cpu.max`, `cpu.stat`) where the cpu controller is on the unified hierarchy, ``CgroupV1``
/// (`cpu.cfs_quota_us`, `cpuacct.usage`) otherwise. Groups are named by a path relative to the
/// hierarchy's root, e.g. `faultline/7f1a2b/client`.
public protocol CgroupController: Sendable {
    /// The mechanism, for the history and `faultline doctor`: `cgroup-v1`, `cgroup-v2`.
    var engine: String { get }
    /// Every folder that makes up `group` (v1: one per hierarchy it spans).
    func directories(of group: String) -> [String]
    /// Creates `group` and its parents (idempotent).
    func create(_ group: String) throws
    /// The files a process writes its pid into to join `group`.
    func procsFiles(of group: String) -> [String]
    /// Caps `group` at `fraction` of one CPU per ``CgroupLimit/period``; nil removes the cap.
    func setCPULimit(_ group: String, fraction: Double?) throws
    /// The shell command equivalent to ``setCPULimit(_:fraction:)``.
    func limitCommand(_ group: String, fraction: Double?) -> String
    /// CPU time used by every process that ever ran in `group`, in nanoseconds.
    func usage(of group: String) throws -> UInt64
}

/// The CFS bandwidth period Faultline uses: quotas are a share of it.
public enum CgroupLimit {
    /// 100 ms, the kernel's default.
    public static let periodMicroseconds: Int64 = 100_000

    /// The quota for `fraction` of one CPU, at least the kernel's 1 ms minimum.
    public static func quotaMicroseconds(fraction: Double) -> Int64 {
        max(1000, Int64((fraction * Double(periodMicroseconds)).rounded()))
    }
}

/// A cgroup file could not be read or written.
public struct CgroupError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var reason: String

    public init(_ operation: String, _ path: String, errno code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.reason = String(cString: strerror(code))
    }

    public init(_ operation: String, _ path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(operation) \(path): \(reason)" }
}

/// Reading and writing the small text files of a cgroup folder.
enum CgroupFile {
    /// Writes `value` in one `write(2)`, as the kernel expects for control files.
    static func write(_ value: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CgroupError("opening", path) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw CgroupError("writing '\(value)' to", path) }
    }

    static func read(_ path: String) throws -> String {
        guard let s = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CgroupError("reading", path, reason: "cannot read the file")
        }
        return s
    }

    /// `mkdir -p` for cgroup folders (the kernel fills each new folder with its control files).
    static func makeDirectory(_ path: String) throws {
        var built = ""
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o755) != 0, errno != EEXIST { throw CgroupError("creating cgroup", built) }
        }
    }
}
