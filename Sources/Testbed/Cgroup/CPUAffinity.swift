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
    /// The CPU time of `pid`'s threads named `prefix…` (`burn-0`, `burn-1`: the stress workers,
    /// not the process's start-up) and how long ago the first of them started, in seconds.
    public static func threadsCPU(_ pid: Int32, namedWith prefix: String) -> (cpuSeconds: Double, runningSeconds: Double)? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return nil }
        var total: UInt64 = 0
        var firstStart: UInt64?
        for tid in tasks {
            let dir = "/proc/\(pid)/task/\(tid)"
            guard let comm = try? String(contentsOfFile: dir + "/comm", encoding: .utf8), comm.hasPrefix(prefix),
                  let s = try? String(contentsOfFile: dir + "/schedstat", encoding: .utf8),
                  let first = s.split(separator: " ").first, let ns = UInt64(first),
                  let stat = try? String(contentsOfFile: dir + "/stat", encoding: .utf8), let close = stat.lastIndex(of: ")")
            else { continue }
            total += ns
            // Field 22, the thread's start in clock ticks since boot.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 19, let ticks = UInt64(fields[19]) { firstStart = min(firstStart ?? ticks, ticks) }
        }
        guard let firstStart else { return nil }
        var boot = timespec()
        clock_gettime(CLOCK_BOOTTIME, &boot)
        let now = Double(boot.tv_sec) + Double(boot.tv_nsec) / 1e9
        return (Double(total) / 1e9, now - Double(firstStart) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }

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
