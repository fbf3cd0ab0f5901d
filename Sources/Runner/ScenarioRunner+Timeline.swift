import FaultlineCore
import Faults
import Foundation
import RunHistory
import ScenarioFormat
import Synchronization
import Testbed

extension ScenarioRunner {
    /// Plays every fault at its time and waits out the scenario's duration. Cancelled by a signal;
    /// faults still active are healed by the teardown stack either way.
    func playTimeline(_ context: RunContext) async {
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for (slot, fault) in context.scenario.faults.enumerated() {
                    group.addTask { await self.play(fault, slot: slot, context) }
                }
                group.addTask { await Self.sleep(until: context.scenario.duration, on: context.clock) }
                await group.waitForAll()
            }
        }
        context.interruption.whenInterrupted { task.cancel() }
        await task.value
        // The probes stop with the timeline, so nothing lands after its end.
        for prober in context.probers { prober.stop() }
    }

    private func play(_ fault: Fault, slot: Int, _ context: RunContext) async {
        let history = context.history
        await Self.sleep(until: fault.at, on: context.clock)
        guard !Task.isCancelled else { return }
        let effect: any FaultEffect
        do {
            effect = try FaultEngine.make(
                fault: fault, topology: context.topology, slot: slot, environment: context.faultEnvironment, hosts: context.hosts)
        } catch {
            failedToApply(fault, error, history)
            return
        }
        let end = fault.end(runDuration: context.scenario.duration)
        let armed = ArmedFault(effect, name: fault.name, teardown: context.teardown) {
            history.record(.faultHealed(fault: fault.name, planned: end))
            if let m = (effect as? any CPUMeasuringEffect)?.measurement {
                history.record(.stressMeasured(
                    fault: fault.name, host: m.host, workers: m.workers, cpuSeconds: m.cpuSeconds, wallSeconds: m.wallSeconds))
            }
        }
        do {
            try armed.apply()
        } catch {
            failedToApply(fault, error, history)
            return
        }
        history.record(.faultApplied(fault: fault.name, planned: fault.at, engine: effect.engine.description, detail: effect.detail))
        progress("fault \(fault.name) applied (\(effect.engine)): \(effect.detail)")
        guard fault.duration != nil else { return }
        await Self.sleep(until: end, on: context.clock)
        guard !Task.isCancelled else { return }
        do {
            try armed.heal()
            progress("fault \(fault.name) healed")
        } catch {
            history.record(.faultFailed(fault: fault.name, operation: "healing \(fault.kind.keyword)", error: "\(error)"))
        }
    }

    private func failedToApply(_ fault: Fault, _ error: any Error, _ history: History) {
        history.record(.faultFailed(fault: fault.name, operation: "applying \(fault.kind.keyword)", error: "\(error)"))
        progress("fault \(fault.name) could not be applied: \(error)")
    }

    /// Sleeps until `t` on the run's clock (returns early when cancelled).
    static func sleep(until t: TimeSpan, on clock: RunClock) async {
        let remaining = t - clock.now()
        guard remaining > .zero else { return }
        try? await Task.sleep(for: remaining.duration, tolerance: .microseconds(100))
    }
}
