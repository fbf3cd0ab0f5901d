import Foundation

/// cgroup v1: the quota lives in the `cpu` hierarchy, the accounting in `cpuacct` (often the same
/// mount, `cpu,cpuacct`; separate folders on some machines, including the one this was built on).
public struct CgroupV1: CgroupController {
    /// The mount point of the hierarchy with the `cpu` controller, e.g. `/sys/fs/cgroup/cpu`.
    public let cpuRoot: String
    /// The mount point of the hierarchy with `cpuacct` (may equal ``cpuRoot``).
    public let cpuacctRoot: String

    public init(cpuRoot: String, cpuacctRoot: String) {
        self.cpuRoot = cpuRoot
        self.cpuacctRoot = cpuacctRoot
    }

    public var engine: String { "cgroup-v1" }

    public func directories(of group: String) -> [String] {
        cpuRoot == cpuacctRoot ? ["\(cpuRoot)/\(group)"] : ["\(cpuRoot)/\(group)", "\(cpuacctRoot)/\(group)"]
    }

    public func create(_ group: String) throws {
        for dir in directories(of: group) { try CgroupFile.makeDirectory(dir) }
    }

    public func procsFiles(of group: String) -> [String] { directories(of: group).map { $0 + "/cgroup.procs" } }

    /// Equivalent to: `echo 20000 > cpu.cfs_quota_us` with `cpu.cfs_period_us` at 100000 (`-1` = no cap).
    public func setCPULimit(_ group: String, fraction: Double?) throws {
        let dir = "\(cpuRoot)/\(group)"
        try CgroupFile.write(String(CgroupLimit.periodMicroseconds), to: dir + "/cpu.cfs_period_us")
        let quota = fraction.map { CgroupLimit.quotaMicroseconds(fraction: $0) } ?? -1
        try CgroupFile.write(String(quota), to: dir + "/cpu.cfs_quota_us")
    }

    public func limitCommand(_ group: String, fraction: Double?) -> String {
        let quota = fraction.map { CgroupLimit.quotaMicroseconds(fraction: $0) } ?? -1
        return "echo \(quota) > \(cpuRoot)/\(group)/cpu.cfs_quota_us  # period \(CgroupLimit.periodMicroseconds) us"
    }

    /// `cpuacct.usage`: nanoseconds.
    public func usage(of group: String) throws -> UInt64 {
        let path = "\(cpuacctRoot)/\(group)/cpuacct.usage"
        let text = try CgroupFile.read(path).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let ns = UInt64(text) else { throw CgroupError("parsing", path, reason: "not a number: '\(text)'") }
        return ns
    }
}
