import Dispatch
import Foundation
import Glibc
import LinuxSystem
import Netlink
import Testbed
import Synchronization

/// The bench's testbeds are runs like any other to `faultline cleanup`: each is registered in
/// `/run/faultline/runs` before it is built and unregistered once it is gone, so a bench ended by
/// SIGKILL is cleaned up as a run would be; SIGINT and SIGTERM remove them at once
/// (``watchSignals()``), as an interrupted `faultline run` tears down.
enum BenchTestbed {
    /// Registers the namespaces `plan` names as a run of this process, before anything creates
    /// them (by libnl or by spawning `ip`); ``release(_:)`` removes whatever is left of them and
    /// unregisters.
    static func register(_ plan: TopologyPlan) throws -> RunState {
        let state = RunState(
            runID: plan.runID, scenario: "faultline-bench", startedAt: ISO8601DateFormatter().string(from: Date()),
            namespaces: [plan.routerNamespace.name] + plan.hosts.map(\.namespace.name))
        try RunRegistry.register(state)
        return state
    }

    static func release(_ state: RunState) {
        waitIfInterrupted()
        remove(state)
    }

    private static func remove(_ state: RunState) {
        let report = Reaper.reap(namespaces: state.namespaces.map(NetworkNamespace.init(name:)))
        for error in report.errors { FileHandle.standardError.write(Data("faultline-bench: \(error)\n".utf8)) }
        RunRegistry.unregister(runID: state.runID)
    }

    private static let signalQueue = DispatchQueue(label: "faultline-bench.signals")
    private static let signals = Mutex(Signals())

    /// The signal sources kept alive, the prefixes to sweep, and whether an interruption is handled.
    private struct Signals {
        var sources: [DispatchSourceSignal] = []
        var prefixes: [String] = []
        var interrupting = false
    }

    /// From now on SIGINT and SIGTERM remove every testbed this process registered (ending the
    /// processes inside them: dnsperf, dnsmasq, wrk) and every namespace named with a prefix given
    /// to ``sweep(prefix:)``, then end the bench with 128 + the signal.
    static func watchSignals() {
        signals.withLock { signals in
            guard signals.sources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: signalQueue)
                source.setEventHandler { interrupted(by: sig) }
                source.resume()
                signals.sources.append(source)
            }
        }
    }

    /// Namespaces named `prefix…` (the bench's lone namespaces, made outside any testbed) go too
    /// when the bench is interrupted.
    static func sweep(prefix: String) { signals.withLock { $0.prefixes.append(prefix) } }

    /// Ends the bench with `code` — unless an interruption is being handled, whose handler
    /// removes the testbeds and ends the process itself.
    static func finish(_ code: Int32) -> Never {
        waitIfInterrupted()
        exit(code)
    }

    /// Parks the calling thread for good while an interruption is handled, so that nothing
    /// races the handler's cleanup (a `defer` releasing a testbed, an error path ending the process).
    static func waitIfInterrupted() {
        guard signals.withLock({ $0.interrupting }) else { return }
        while true { sleep(60) }
    }

    private static func interrupted(by sig: Int32) -> Never {
        signals.withLock { $0.interrupting = true }
        FileHandle.standardError.write(Data("faultline-bench: interrupted; removing its testbeds\n".utf8))
        for state in RunRegistry.all() where state.pid == getpid() { remove(state) }
        for prefix in signals.withLock({ $0.prefixes }) {
            _ = Reaper.reap(namespaces: NetworkNamespace.list(prefix: prefix))
        }
        exit(128 + sig)
    }
}
