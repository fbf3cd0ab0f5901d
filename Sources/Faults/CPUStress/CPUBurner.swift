import CLinux
import Foundation
import Glibc
import Testbed

/// The stress workers themselves: threads that burn CPU in duty cycles, run by `faultline _burn`
/// in a process of its own (so it can sit in a host's cgroup and be killed as one).
///
/// Each period a worker spins until it has *used* `load × period` of CPU time (by its thread
/// clock, so a worker that is preempted still delivers its share when it can), then sleeps until
/// the period's end. A worker that falls more than a period behind starts afresh rather than
/// bursting to catch up.
public enum CPUBurner {
    /// The worker threads' names start with this (`burn-0`, …), so their CPU time can be told
    /// from the process's start-up.
    public static let threadPrefix = "burn-"
    /// Pins to `options.cpus`, starts the workers and never returns; ends by signal.
    public static func run(_ options: CPUBurnerOptions) throws -> Never {
        if !options.cpus.isEmpty { try CPUAffinity.restrictCurrentThread(to: options.cpus) }
        let period = UInt64(max(1, options.periodMilliseconds)) * 1_000_000
        let busy = UInt64(min(1, max(0, options.load)) * Double(period))
        for i in 0..<max(1, options.workers) {
            let t = Thread {
                // Named from inside: Foundation on Linux does not pass a name set before start on.
                _ = fl_set_thread_name("\(threadPrefix)\(i)")
                work(period: period, busy: busy)
            }
            t.start()
        }
        while true { pause() }
    }

    static func work(period: UInt64, busy: UInt64) -> Never {
        var start = now(CLOCK_MONOTONIC)
        while true {
            let cpuStart = now(CLOCK_THREAD_CPUTIME_ID)
            let end = start + period
            while now(CLOCK_THREAD_CPUTIME_ID) - cpuStart < busy, now(CLOCK_MONOTONIC) < end {}
            if busy < period { sleep(until: end) }
            let t = now(CLOCK_MONOTONIC)
            start = t > end + period ? t : end
        }
    }

    static func now(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func sleep(until ns: UInt64) {
        var ts = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
