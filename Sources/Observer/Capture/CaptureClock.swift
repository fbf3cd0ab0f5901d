import Glibc

/// Converts capture timestamps (CLOCK_REALTIME, as the kernel stamps packets) to CLOCK_MONOTONIC,
/// the run clock's base, with one offset measured when the capture starts.
///
/// The offset is the tightest of a few realtime readings bracketed by monotonic ones, so it is
/// good to about a microsecond; a wall-clock step during the run would shift later packets,
/// which is why it is measured once and not followed (NTP slews, it does not step, on a testbed).
public struct CaptureClock: Sendable {
    /// realtime − monotonic, in nanoseconds.
    public let offset: Int64

    public init(offset: Int64) { self.offset = offset }

    /// Measures the offset now.
    public static func measure() -> CaptureClock {
        var best: (width: Int64, offset: Int64) = (.max, 0)
        for _ in 0..<5 {
            let before = now(CLOCK_MONOTONIC)
            let real = now(CLOCK_REALTIME)
            let after = now(CLOCK_MONOTONIC)
            let width = after - before
            if width < best.width { best = (width, real - (before + width / 2)) }
        }
        return CaptureClock(offset: best.offset)
    }

    /// The monotonic time of a packet stamped `realtime` (nanoseconds).
    public func monotonic(fromRealtime realtime: Int64) -> UInt64 { UInt64(max(0, realtime - offset)) }

    static func now(_ id: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(id, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
