import FaultlineCore
import Foundation
import Glibc
import RunHistory
import ScenarioFormat
import Synchronization

/// A process fault played on a host's program through its ``HostProcessControl``.
///
/// - `pause`: SIGSTOP to the process group at apply, SIGCONT at heal.
/// - `kill`: the signal at apply; with `restart: { after: }`, a background thread waits that long,
///   ends what may still run (TERM, then KILL) and starts the program again.
/// - `restart`: TERM at apply, then the same background restart at once.
///
/// Heal cancels a restart that has not begun yet (the host then stays down); a restart under way
/// runs to its end. Restarts run on their own thread so a slow `ready:` rule blocks no task.
public final class ProcessFaultEffect: FaultEffect, Sendable {
    public let fault: String
    public let action: ProcessAction
    public let control: any HostProcessControl
    /// How long a process may take to end after TERM before it gets KILL.
    public static let termGrace = TimeSpan.seconds(5)

    private let state = Mutex(Signalled())
    private let cancelRestart = DispatchSemaphore(value: 0)

    /// The process group signalled, whether it is stopped, and the restart under way.
    private struct Signalled {
        var targetPID: Int32?
        var paused = false
        /// Set when the latest restart's thread has ended.
        var restartEnded: Flag?
    }

    /// A flag one thread sets and others poll: the restart thread's `isFinished`, shareable.
    private final class Flag: Sendable {
        private let value = Atomic(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    public init(fault: String, action: ProcessAction, control: any HostProcessControl) {
        self.fault = fault
        self.action = action
        self.control = control
    }

    public var engine: EffectEngine { .signal }

    public var detail: String {
        let group = state.withLock { $0.targetPID }.map { "-\($0)" } ?? "-<pgid of \(control.host)>"
        return switch action {
        case .pause: "kill -STOP \(group)  # heal: kill -CONT \(group)"
        case .kill(let signal, let after):
            "kill -\(signal.rawValue) \(group)" + (after.map { "  # then start \(control.host) again after \($0)" } ?? "")
        case .restart: "kill -TERM \(group)  # then start \(control.host) again"
        }
    }

    public func apply() throws {
        guard let pid = control.runningPID else { throw FaultError(.noProcess(host: control.host)) }
        state.withLock { $0.targetPID = pid }
        switch action {
        case .pause:
            guard control.signalGroup(SIGSTOP) else { throw FaultError(.noProcess(host: control.host)) }
            state.withLock { $0.paused = true }
        case .kill(let signal, let after):
            guard control.signalGroup(signal.number) else { throw FaultError(.noProcess(host: control.host)) }
            if let after { startRestart(after: after) }
        case .restart:
            guard control.signalGroup(SIGTERM) else { throw FaultError(.noProcess(host: control.host)) }
            startRestart(after: .zero)
        }
    }

    public func heal() throws {
        let wasPaused = state.withLock { state in
            defer { state.paused = false }
            return state.paused
        }
        if wasPaused { control.signalGroup(SIGCONT) }
        cancelRestart.signal()
    }

    /// Waits for the background restart, if any, to finish (for tests and orderly teardown).
    public func waitForRestart(timeout: TimeSpan) -> Bool {
        guard let ended = state.withLock({ $0.restartEnded }) else { return true }
        let deadline = Date().addingTimeInterval(timeout.seconds)
        while !ended.isSet, Date() < deadline { usleep(10_000) }
        return ended.isSet
    }

    private func startRestart(after delay: TimeSpan) {
        let ended = Flag()
        let t = Thread { [self] in
            defer { ended.set() }
            if delay > .zero, cancelRestart.wait(timeout: .now() + delay.seconds) == .success { return }
            // Whatever survived the signal (a handled USR1, a slow TERM) goes before the new start.
            if !control.waitForExit(timeout: .milliseconds(100)) {
                control.signalGroup(SIGTERM)
                if !control.waitForExit(timeout: Self.termGrace) {
                    control.signalGroup(SIGKILL)
                    _ = control.waitForExit(timeout: Self.termGrace)
                }
            }
            try? control.restart(for: fault)
        }
        t.name = "restart:\(control.host)"
        state.withLock { $0.restartEnded = ended }
        t.start()
    }
}
