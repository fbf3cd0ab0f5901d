import Foundation

/// Undo steps pushed as resources are created and run in reverse order, once, also on error
/// and on signals; a step that fails is reported and the rest still run.
final class TeardownStack: @unchecked Sendable {
    private let lock = NSLock()
    private var steps: [(name: String, body: () throws -> Void)] = []

    func push(_ name: String, _ body: @escaping () throws -> Void) {
        lock.lock()
        steps.append((name, body))
        lock.unlock()
    }

    /// Runs every step, newest first; returns the errors met.
    func unwind() -> [String] {
        lock.lock()
        let todo = steps.reversed()
        steps.removeAll()
        lock.unlock()
        var errors: [String] = []
        for step in todo {
            do { try step.body() } catch { errors.append("\(step.name): \(error)") }
        }
        return errors
    }
}
