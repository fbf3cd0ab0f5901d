import Faults
import Synchronization
import Testing

@testable import Runner

/// A fault whose apply gets `appliedSteps` of its two steps done, then fails unless both are;
/// it writes down every change, so a test sees what was left behind.
final class TwoStepEffect: FaultEffect {
    let appliedSteps: Int
    let log = Mutex<[String]>([])
    init(appliedSteps: Int) { self.appliedSteps = appliedSteps }

    var engine: EffectEngine { .fibRule }
    var detail: String { "two steps" }
    var inPlace: Int { log.withLock { $0.count { $0.hasPrefix("add") } - $0.count { $0.hasPrefix("del") } } }

    struct Refused: Error {}

    func apply() throws {
        for step in 0..<appliedSteps { log.withLock { $0.append("add \(step)") } }
        if appliedSteps < 2 { throw Refused() }
    }

    /// Idempotent, as heals must be: removes only what is there.
    func heal() throws {
        log.withLock { log in
            let present = log.count { $0.hasPrefix("add") } - log.count { $0.hasPrefix("del") }
            for step in (0..<present).reversed() { log.append("del \(step)") }
        }
    }
}

struct ArmedFaultTests {
    @Test(arguments: [0, 1])
    func aFailingApplyStillRunsItsUndo(appliedSteps: Int) {
        let teardown = TeardownStack()
        let effect = TwoStepEffect(appliedSteps: appliedSteps)
        let healsRecorded = Mutex(0)
        let armed = ArmedFault(effect, name: "cut", teardown: teardown) { healsRecorded.withLock { $0 += 1 } }
        #expect(throws: TwoStepEffect.Refused.self) { try armed.apply() }
        #expect(effect.inPlace == 0)
        #expect(teardown.unwind().isEmpty)
        #expect(effect.inPlace == 0)
        #expect(healsRecorded.withLock { $0 } == 0, "a fault that never took effect is not recorded as healed")
    }

    @Test func theHealIsOnTheTeardownStackBeforeTheFaultIsApplied() {
        let teardown = TeardownStack()
        let effect = TwoStepEffect(appliedSteps: 2)
        let armed = ArmedFault(effect, name: "cut", teardown: teardown) {}
        // Applied outside the armed fault, as if interrupted before `apply()` returned.
        try? effect.apply()
        #expect(effect.inPlace == 2)
        #expect(teardown.unwind().isEmpty)
        #expect(effect.inPlace == 0)
        _ = armed
    }

    @Test func anAppliedFaultHealsOnceWhetherAtItsEndOrAtTeardown() throws {
        let teardown = TeardownStack()
        let effect = TwoStepEffect(appliedSteps: 2)
        let healsRecorded = Mutex(0)
        let armed = ArmedFault(effect, name: "cut", teardown: teardown) { healsRecorded.withLock { $0 += 1 } }
        try armed.apply()
        try armed.heal()
        #expect(teardown.unwind().isEmpty)
        #expect(effect.inPlace == 0)
        #expect(healsRecorded.withLock { $0 } == 1)
    }
}
