import Foundation
import UnixSignals

/// Watches for SIGINT and SIGTERM and remembers the first that arrived.
///
/// The run checks `signal` between steps and cancels its timeline task, so it heals, tears down
/// and writes a report marked interrupted instead of dying with rules in place.
final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var received: String?
    private var onSignal: [@Sendable () -> Void] = []
    private var task: Task<Void, Never>?

    func start() async {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        task = Task { [weak self] in
            for await sig in signals {
                self?.fire(sig == .sigint ? "SIGINT" : "SIGTERM")
            }
        }
    }

    func stop() { task?.cancel() }

    /// The first signal received, if any.
    var signal: String? {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Calls `body` when a signal arrives (at once if one already has).
    func whenInterrupted(_ body: @escaping @Sendable () -> Void) {
        lock.lock()
        let already = received != nil
        if !already { onSignal.append(body) }
        lock.unlock()
        if already { body() }
    }

    private func fire(_ name: String) {
        lock.lock()
        guard received == nil else {
            lock.unlock()
            return
        }
        received = name
        let handlers = onSignal
        lock.unlock()
        handlers.forEach { $0() }
    }
}
