import Foundation

/// cgroup v2: one unified hierarchy; the cpu controller must be enabled in every ancestor's
/// `cgroup.subtree_control` for `cpu.max` to appear in the host's folder.
public struct CgroupV2: CgroupController {
    /// The mount point of the unified hierarchy, e.g. `/sys/fs/cgroup`.
    public let root: String

    public init(root: String) { self.root = root }

    public var engine: String { "cgroup-v2" }

    public func directories(of group: String) -> [String] { ["\(root)/\(group)"] }

    /// Creates each level and enables `+cpu` for its children on the way down.
    public func create(_ group: String) throws {
        var dir = root
        let parts = group.split(separator: "/")
        for (i, part) in parts.enumerated() {
            // Enabling in the parent is what makes the controller's files appear in the child.
            try? CgroupFile.write("+cpu", to: dir + "/cgroup.subtree_control")
            dir += "/" + part
            try CgroupFile.makeDirectory(dir)
            if i == parts.count - 1, access(dir + "/cpu.max", F_OK) != 0 {
                throw CgroupError("enabling the cpu controller for", dir,
                                  reason: "cpu.max is missing (is +cpu allowed in every parent's cgroup.subtree_control?)")
            }
        }
    }

    public func procsFiles(of group: String) -> [String] { ["\(root)/\(group)/cgroup.procs"] }

    /// Equivalent to: `echo "20000 100000" > cpu.max` (`max 100000` = no cap).
    public func setCPULimit(_ group: String, fraction: Double?) throws {
        try CgroupFile.write(Self.cpuMax(fraction), to: "\(root)/\(group)/cpu.max")
    }

    public func limitCommand(_ group: String, fraction: Double?) -> String {
        "echo '\(Self.cpuMax(fraction))' > \(root)/\(group)/cpu.max"
    }

    static func cpuMax(_ fraction: Double?) -> String {
        let quota = fraction.map { String(CgroupLimit.quotaMicroseconds(fraction: $0)) } ?? "max"
        return "\(quota) \(CgroupLimit.periodMicroseconds)"
    }

    /// `usage_usec` of `cpu.stat`, in nanoseconds.
    public func usage(of group: String) throws -> UInt64 {
        let path = "\(root)/\(group)/cpu.stat"
        let text = try CgroupFile.read(path)
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == "usage_usec", let us = UInt64(parts[1]) { return us * 1000 }
        }
        throw CgroupError("parsing", path, reason: "no usage_usec line")
    }
}
