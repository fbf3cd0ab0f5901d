import FaultlineCore
import Faults
import Foundation
import Glibc
import RunHistory
import ScenarioFormat
import Testbed
import Synchronization

/// Keeps one host's program: starts it (in the host's namespaces and cgroup), and starts it again
/// when a process fault asks. It is the ``HostProcessControl`` faults get — never the runner.
final class HostSupervisor: HostProcessControl, Sendable {
    let spec: ScenarioFormat.Host
    let context: HostContext
    let env: [String: String]
    let directory: String
    let cgroup: HostCgroup?
    let history: History
    /// Blocks until `host`'s `ready:` rule holds for the new process, judging events from the index on.
    let waitUntilReady: @Sendable (ScenarioFormat.Host, HostProcess, Int) throws -> Void
    /// The process started last, and whether the run is ending (no restart after that).
    private let state: Mutex<(current: HostProcess, stopped: Bool)>

    init(
        spec: ScenarioFormat.Host, context: HostContext, env: [String: String], directory: String,
        cgroup: HostCgroup?, history: History,
        waitUntilReady: @escaping @Sendable (ScenarioFormat.Host, HostProcess, Int) throws -> Void
    ) throws {
        self.spec = spec
        self.context = context
        self.env = env
        self.directory = directory
        self.cgroup = cgroup
        self.history = history
        self.waitUntilReady = waitUntilReady
        let first = try Self.start(spec, context: context, env: env, directory: directory, cgroup: cgroup, history: history)
        state = Mutex((first, false))
    }

    var host: String { spec.name }

    /// The process started last.
    var process: HostProcess { state.withLock { $0.current } }

    var runningPID: Int32? {
        let p = process
        return p.status == nil ? p.pid : nil
    }

    @discardableResult
    func signalGroup(_ signal: Int32) -> Bool {
        guard let pid = runningPID else { return false }
        return kill(-pid, signal) == 0
    }

    func waitForExit(timeout: TimeSpan) -> Bool { process.waitForExit(timeout: timeout) }

    func restart(for fault: String) throws {
        let (started, from): (HostProcess, Int) = try state.withLock { state in
            guard !state.stopped else { throw RunnerError(operation: "restarting host \(host)", detail: "the run is ending") }
            let from = history.events.count
            do {
                state.current = try Self.start(spec, context: context, env: env, directory: directory, cgroup: cgroup, history: history)
            } catch {
                history.record(.faultFailed(fault: fault, operation: "restarting host \(host)", error: "\(error)"))
                throw error
            }
            return (state.current, from)
        }
        do {
            try waitUntilReady(spec, started, from)
        } catch {
            history.record(.faultFailed(fault: fault, operation: "waiting for restarted host \(host) to be ready", error: "\(error)"))
            throw error
        }
    }

    /// Ends the current process group for good: no restart starts after this.
    func terminate() {
        let p = state.withLock { state in
            state.stopped = true
            return state.current
        }
        p.terminate()
    }

    private static func start(
        _ spec: ScenarioFormat.Host, context: HostContext, env: [String: String], directory: String,
        cgroup: HostCgroup?, history: History
    ) throws -> HostProcess {
        try HostProcess(
            host: spec.name, command: spec.run ?? "", context: context, directory: directory, env: env,
            history: history, cgroup: cgroup)
    }
}
