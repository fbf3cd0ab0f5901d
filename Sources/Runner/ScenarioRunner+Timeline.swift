import FaultlineCore
import Faults
import Foundation
import RunHistory
import ScenarioFormat
import Testbed

extension ScenarioRunner {
    /// Plays every fault at its time and waits out the scenario's duration. Cancelled by a signal;
    /// faults still active are healed by the teardown stack either way.
    func playTimeline() async {
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for (slot, fault) in scenario.faults.enumerated() {
                    group.addTask { await self.play(fault, slot: slot) }
                }
                group.addTask { await self.sleep(until: self.scenario.duration) }
                await group.waitForAll()
            }
        }
        interruption.whenInterrupted { task.cancel() }
        await task.value
        // The probes stop with the timeline, so nothing lands after its end.
        for prober in probers { prober.stop() }
    }

    private func play(_ fault: Fault, slot: Int) async {
        guard let topology else { return }
        await sleep(until: fault.at)
        guard !Task.isCancelled else { return }
        let effect: any FaultEffect
        do {
            effect = try FaultEngine.make(fault: fault, topology: topology, slot: slot, environment: faultEnvironment, hosts: hostFaultContext)
        } catch {
            failedToApply(fault, error)
            return
        }
        let end = fault.end(runDuration: scenario.duration)
        let armed = ArmedFault(effect, name: fault.name, teardown: teardown) { [history] in
            history!.record(.faultHealed(fault: fault.name, planned: end))
            if let m = (effect as? any CPUMeasuringEffect)?.measurement {
                history!.record(.stressMeasured(
                    fault: fault.name, host: m.host, workers: m.workers, cpuSeconds: m.cpuSeconds, wallSeconds: m.wallSeconds))
            }
        }
        do {
            try armed.apply()
        } catch {
            failedToApply(fault, error)
            return
        }
        history.record(.faultApplied(fault: fault.name, planned: fault.at, engine: effect.engine.description, detail: effect.detail))
        progress("fault \(fault.name) applied (\(effect.engine)): \(effect.detail)")
        guard fault.duration != nil else { return }
        await sleep(until: end)
        guard !Task.isCancelled else { return }
        do {
            try armed.heal()
            progress("fault \(fault.name) healed")
        } catch {
            history.record(.faultFailed(fault: fault.name, operation: "healing \(fault.kind.keyword)", error: "\(error)"))
        }
    }

    private func failedToApply(_ fault: Fault, _ error: any Error) {
        history.record(.faultFailed(fault: fault.name, operation: "applying \(fault.kind.keyword)", error: "\(error)"))
        progress("fault \(fault.name) could not be applied: \(error)")
    }

    /// Sleeps until `t` on the run's clock (returns early when cancelled).
    func sleep(until t: TimeSpan) async {
        let remaining = t - clock.now()
        guard remaining > .zero else { return }
        try? await Task.sleep(for: remaining.duration, tolerance: .microseconds(100))
    }
}

/// Lets exactly one caller through: a fault heals once, whether at its end or at teardown.
final class HealOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
}
