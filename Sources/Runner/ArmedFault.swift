import Faults
import Synchronization

/// A fault's effect whose heal is on the teardown stack before anything is applied, so a fault
/// that fails or is interrupted half way is still undone. It heals once: at its end, after a
/// failed apply, or at teardown, whichever comes first.
final class ArmedFault: Sendable {
    let effect: any FaultEffect
    private let once = HealOnce()
    private let onHealed: @Sendable () -> Void

    /// Registers the heal on `teardown`; applies nothing. `onHealed` runs after each heal of an
    /// applied fault that succeeded (a failed apply's undo is not a heal the history should show).
    init(_ effect: any FaultEffect, name: String, teardown: TeardownStack, onHealed: @escaping @Sendable () -> Void) {
        self.effect = effect
        self.onHealed = onHealed
        teardown.push("healing fault \(name)") { [self] in try heal() }
    }

    /// Applies the effect. On failure whatever part took effect is undone at once (heals are
    /// idempotent and safe on a fault never applied) and the apply's error is rethrown.
    func apply() throws {
        do {
            try effect.apply()
        } catch {
            if once.claim() { try? effect.heal() }
            throw error
        }
    }

    /// Heals, unless already healed.
    func heal() throws {
        guard once.claim() else { return }
        try effect.heal()
        onHealed()
    }
}

/// Lets exactly one caller through: a fault heals once, whether at its end or at teardown.
final class HealOnce: Sendable {
    private let done = Atomic(false)

    func claim() -> Bool {
        !done.exchange(true, ordering: .sequentiallyConsistent)
    }
}
