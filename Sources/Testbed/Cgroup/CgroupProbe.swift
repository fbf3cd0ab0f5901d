import Foundation

/// Finds the cgroup engine this machine offers, by reading its mounts — never its kernel config.
public enum CgroupProbe {
    /// The controller for this machine, or nil with the reason none is usable.
    public static func detect() -> Result<any CgroupController, CgroupError> {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        return detect(mounts: mounts) { try? String(contentsOfFile: $0, encoding: .utf8) }
    }

    /// The choice, from `/proc/self/mounts` text and a file reader (for tests): v2 when a `cgroup2`
    /// mount lists `cpu` in its `cgroup.controllers`; else v1 when a `cgroup` mount carries the
    /// `cpu` option (accounting from the mount with `cpuacct`).
    public static func detect(
        mounts: String, read: (String) -> String?
    ) -> Result<any CgroupController, CgroupError> {
        var v1CPU: String?
        var v1Acct: String?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 4 else { continue }
            let point = String(fields[1]), type = fields[2]
            let options = fields[3].split(separator: ",")
            if type == "cgroup2",
               let controllers = read(point + "/cgroup.controllers"),
               controllers.split(whereSeparator: \.isWhitespace).contains("cpu") {
                return .success(CgroupV2(root: point))
            }
            if type == "cgroup" {
                if options.contains("cpu") { v1CPU = v1CPU ?? point }
                if options.contains("cpuacct") { v1Acct = v1Acct ?? point }
            }
        }
        if let v1CPU {
            guard let v1Acct else {
                return .failure(CgroupError("finding", "the cpuacct controller", reason:
                    "cgroup v1 has cpu at \(v1CPU) but no cpuacct hierarchy for accounting"))
            }
            return .success(CgroupV1(cpuRoot: v1CPU, cpuacctRoot: v1Acct))
        }
        return .failure(CgroupError("finding", "a cpu controller", reason:
            "no cgroup2 mount with cpu in cgroup.controllers and no cgroup v1 mount with the cpu option"))
    }
}
