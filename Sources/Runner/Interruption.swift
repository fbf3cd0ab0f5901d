import Foundation
import Synchronization
import UnixSignals

/// Watches for SIGINT and SIGTERM and remembers the first that arrived.
///
/// The run checks `signal` between steps and cancels its timeline task, so it heals, tears down
/// and writes a report marked interrupted instead of dying with rules in place.
final class Interruption: Sendable {
    private let state = Mutex(State())

    private struct State {
        var received: String?
        var onSignal: [@Sendable () -> Void] = []
        var task: Task<Void, Never>?
    }

    func start() async {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let task = Task { [weak self] in
            for await sig in signals {
                self?.fire(sig == .sigint ? "SIGINT" : "SIGTERM")
            }
        }
        state.withLock { $0.task = task }
    }

    func stop() { state.withLock { $0.task }?.cancel() }

    /// The first signal received, if any.
    var signal: String? {
        state.withLock { $0.received }
    }

    /// Calls `body` when a signal arrives (at once if one already has).
    func whenInterrupted(_ body: @escaping @Sendable () -> Void) {
        let already = state.withLock { state in
            let already = state.received != nil
            if !already { state.onSignal.append(body) }
            return already
        }
        if already { body() }
    }

    private func fire(_ name: String) {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard state.received == nil else { return [] }
            state.received = name
            return state.onSignal
        }
        handlers.forEach { $0() }
    }
}
