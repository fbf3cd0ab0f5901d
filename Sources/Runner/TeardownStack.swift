import Foundation
import Synchronization

/// Undo steps pushed as resources are created and run in reverse order, once, also on error
/// and on signals; a step that fails is reported and the rest still run.
final class TeardownStack: Sendable {
    private let steps = Mutex<[(name: String, body: @Sendable () throws -> Void)]>([])

    func push(_ name: String, _ body: @escaping @Sendable () throws -> Void) {
        steps.withLock { $0.append((name, body)) }
    }

    /// Runs every step, newest first; returns the errors met.
    func unwind() -> [String] {
        let todo = steps.withLock { steps in
            defer { steps.removeAll() }
            return steps.reversed()
        }
        var errors: [String] = []
        for step in todo {
            do { try step.body() } catch { errors.append("\(step.name): \(error)") }
        }
        return errors
    }
}
