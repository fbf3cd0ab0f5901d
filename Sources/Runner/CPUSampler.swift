import FaultlineCore
import Foundation
import RunHistory
import ScenarioFormat
import Testbed

/// Samples every host's cgroup CPU accounting into the history (`cpu.sample`) every `interval`,
/// on a thread of its own, and once more when stopped.
final class CPUSampler: @unchecked Sendable {
    /// Often enough to see a 1 s fault, rarely enough to keep the history small.
    static let interval = TimeSpan.milliseconds(500)

    private let cgroups: [HostCgroup]
    private let history: History
    private let stopSignal = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private var last: [String: (ns: UInt64, usage: Double)] = [:]

    init(cgroups: [HostCgroup], history: History) {
        self.cgroups = cgroups.sorted { $0.host < $1.host }
        self.history = history
    }

    func start() {
        let t = Thread { [self] in
            sample()
            while stopSignal.wait(timeout: .now() + Self.interval.seconds) == .timedOut { sample() }
            sample()
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

    private func sample() {
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
