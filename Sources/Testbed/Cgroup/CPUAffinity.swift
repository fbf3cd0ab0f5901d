import CLinux
import Foundation
import Glibc

/// Which CPUs a process may run on (`sched_getaffinity(2)`/`sched_setaffinity(2)`).
public enum CPUAffinity {
    /// The CPUs `pid` (0: the calling thread) may run on; nil if it cannot be read.
    public static func of(_ pid: Int32) -> [Int32]? {
        var cpus = [Int32](repeating: 0, count: 1024)
        let n = fl_get_affinity(pid, &cpus, Int32(cpus.count))
        return n < 0 ? nil : Array(cpus[..<Int(n)])
    }

    /// Restricts the calling thread (and the threads it starts later) to `cpus`.
    public static func restrictCurrentThread(to cpus: [Int32]) throws {
        guard fl_set_affinity(0, cpus, Int32(cpus.count)) == 0 else {
            throw CgroupError("pinning to CPUs", cpus.map(String.init).joined(separator: ","))
        }
    }

    /// Restricts every thread `pid` has now (and so the threads they start later) to `cpus`.
    public static func restrictProcess(_ pid: Int32, to cpus: [Int32]) throws {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else {
            throw CgroupError("listing the threads of process", String(pid))
        }
        for tid in tasks.compactMap({ Int32($0) }) where fl_set_affinity(tid, cpus, Int32(cpus.count)) != 0 && errno != ESRCH {
            throw CgroupError("pinning thread \(tid) to CPUs", cpus.map(String.init).joined(separator: ","))
        }
    }

    /// CPU time used by every thread of `pid` so far, in seconds, from `/proc/PID/task/*/schedstat`
    /// (nanosecond accounting; `/proc/PID/stat` counts only in clock ticks).
    public static func processCPUSeconds(_ pid: Int32) -> Double? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return nil }
        var total: UInt64 = 0
        for tid in tasks {
            guard let s = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/schedstat", encoding: .utf8),
                  let first = s.split(separator: " ").first, let ns = UInt64(first) else { continue }
            total += ns
        }
        return Double(total) / 1e9
    }
}
