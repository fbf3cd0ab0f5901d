import FaultlineCore
import Foundation
import Glibc
import LinuxSystem
import RunHistory
import ScenarioFormat
import Synchronization

/// Runs one probe continuously from inside a host: an attempt every `every` (fixed rate; an
/// attempt that overruns delays the next, never stacks), each recorded in the history.
public final class Prober: Sendable {
    public let name: String
    private let thread: NamespaceThread
    private let stopped = Atomic(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts probing a network target (http, tcp) at once on a thread of its own inside `namespace`.
    public convenience init(
        name: String, from host: String, namespace: NetworkNamespace, target: ProbeTarget,
        resolved: ResolvedTarget, every: TimeSpan, timeout: TimeSpan, history: History
    ) throws {
        try self.init(name: name, from: host, namespace: namespace, target: target, every: every, history: history) {
            ProbeAttempt.run(resolved, timeout: timeout)
        }
    }

    /// Starts probing with `attempt`, called every `every` on a thread inside `namespace`.
    public init(
        name: String, from host: String, namespace: NetworkNamespace, target: ProbeTarget, every: TimeSpan,
        history: History, attempt: @escaping @Sendable () -> ProbeOutcome
    ) throws {
        self.name = name
        self.thread = try NamespaceThread(namespace)
        let interval = UInt64(max(every.nanoseconds, 1_000_000))
        let targetText = target.description
        thread.perform { [self] in
            var next = RunClockNow.nanoseconds()
            while !isStopped {
                let o = attempt()
                if isStopped { break }
                history.record(.probe(probe: name, from: host, target: targetText, ok: o.ok, latency: o.latency, detail: o.detail))
                next += interval
                let now = RunClockNow.nanoseconds()
                if next < now { next = now }
                sleepUntil(next)
            }
            finished.signal()
        }
    }

    private var isStopped: Bool {
        stopped.load(ordering: .sequentiallyConsistent)
    }

    /// Stops after the attempt under way (at most its timeout) and ends the thread.
    public func stop() {
        let already = stopped.exchange(true, ordering: .sequentiallyConsistent)
        guard !already else { return }
        finished.wait()
        thread.stop()
    }

    /// Sleeps in short steps so `stop()` is honoured within 50 ms.
    private func sleepUntil(_ deadline: UInt64) {
        while !isStopped {
            let now = RunClockNow.nanoseconds()
            guard now < deadline else { return }
            var ts = timespec(tv_sec: 0, tv_nsec: Int(min(deadline - now, 50_000_000)))
            nanosleep(&ts, nil)
        }
    }
}
