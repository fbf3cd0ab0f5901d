import FaultlineCore
import Foundation
import RunHistory
import ScenarioFormat
import Testbed

/// Samples every host's cgroup CPU accounting into the history (`cpu.sample`) every `interval`,
/// on a thread of its own, and once more when stopped.
final class CPUSampler: Sendable {
    /// Often enough to see a 1 s fault, rarely enough to keep the history small.
    static let interval = TimeSpan.milliseconds(500)

    private let cgroups: [HostCgroup]
    private let history: History
    private let stopSignal = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(cgroups: [HostCgroup], history: History) {
        self.cgroups = cgroups.sorted { $0.host < $1.host }
        self.history = history
    }

    func start() {
        let t = Thread { [self] in
            // Each host's previous reading; only this thread samples.
            var last: [String: (ns: UInt64, usage: Double)] = [:]
            sample(&last)
            while stopSignal.wait(timeout: .now() + Self.interval.seconds) == .timedOut { sample(&last) }
            sample(&last)
            done.signal()
        }
        t.name = "cpu-sampler"
        t.start()
    }

    /// Takes the last sample and returns once the thread has ended.
    func stop() {
        stopSignal.signal()
        done.wait()
    }

    private func sample(_ last: inout [String: (ns: UInt64, usage: Double)]) {
        let now = RunClock.monotonicNow()
        for cgroup in cgroups {
            guard let usage = try? cgroup.usageSeconds() else { continue }
            var percent = 0.0
            if let prev = last[cgroup.host], now > prev.ns {
                percent = (usage - prev.usage) / (Double(now - prev.ns) / 1e9) * 100
            }
            last[cgroup.host] = (now, usage)
            history.record(.cpuSample(host: cgroup.host, cpuSeconds: usage, percent: percent))
        }
    }
}
