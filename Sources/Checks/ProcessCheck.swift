import FaultlineCore
import RunHistory
import ScenarioFormat

/// Judges a process expectation against the host's `process.*` events.
///
/// Each clause that is set is judged on its own and the verdicts combine (any fail fails):
/// - `running: true` passes when the host's process has no `process.exited` at or before the
///   window's end (it may have exited later, during teardown); `running: false` is the opposite.
/// - `exit: N` passes when the process exited inside the window with code N.
/// "The process" is the one running at the window's end: after a `process` fault killed and
/// restarted it, the restarted one (only such a fault starts a host's program again).
/// - `output: re` passes when a line the host printed inside the window matches the regular
///   expression (Swift `Regex` syntax, unanchored); a pattern that does not compile is unknown.
/// A host that never started a process makes every clause unknown.
public struct ProcessCheck: Sendable {
    public var name: String
    public var spec: ProcessExpectation

    public init(name: String, spec: ProcessExpectation) {
        self.name = name
        self.spec = spec
    }

    private typealias Clause = (verdict: Verdict, text: String)

    public func evaluate(in window: ResolvedWindow, history: [Event]) -> CheckResult {
        let host = spec.host
        var evidence: [String: EvidenceValue] = [:]
        var events: [EventReference] = []
        func result(_ clauses: [Clause]) -> CheckResult {
            CheckResult(
                expectation: name, kind: "process", verdict: .combining(clauses.map(\.verdict)),
                summary: clauses.map(\.text).joined(separator: "; "), evidence: evidence, window: window,
                events: events)
        }

        guard spec.running != nil || spec.exitCode != nil || spec.output != nil else {
            return result([(.unknown, "nothing to check: set running, exit or output")])
        }
        // A host runs one process at a time; a `process` fault's restart starts the next one. The
        // one judged is the incarnation running at the window's end: after kill + restart, the
        // restarted process (an exit the fault caused is not the client's).
        var starts: [(index: Int, t: TimeSpan, pid: Int32)] = []
        for (i, e) in history.enumerated() {
            if case .processStarted(host, let pid, _) = e.kind { starts.append((i, e.t, pid)) }
        }
        guard let started = starts.last(where: { $0.t <= window.end }) ?? starts.first else {
            return result([(.unknown, "host \"\(host)\" never started a process")])
        }
        evidence["pid"] = .number(Double(started.pid))
        if starts.count > 1 { evidence["starts"] = .number(Double(starts.count)) }

        var exit: (index: Int, t: TimeSpan, status: ExitStatus)?
        for (i, e) in history.enumerated().dropFirst(started.index) {
            if case .processExited(host, started.pid, let status) = e.kind {
                exit = (i, e.t, status)
                break
            }
        }
        if let exit {
            evidence["exitStatus"] = .string(exit.status.description)
            evidence["exitedAtSeconds"] = .number(exit.t.seconds)
            events.append(EventReference(label: "exit", index: exit.index, t: exit.t))
        }

        var clauses: [Clause] = []
        if let running = spec.running {
            clauses.append(judgeRunning(running, exit: exit, window: window))
        }
        if let code = spec.exitCode {
            clauses.append(judgeExit(code, exit: exit, window: window))
        }
        if let pattern = spec.output {
            evidence["pattern"] = .string(pattern)
            clauses.append(judgeOutput(pattern, window: window, history: history, evidence: &evidence, events: &events))
        }
        return result(clauses)
    }

    private func judgeRunning(
        _ running: Bool, exit: (index: Int, t: TimeSpan, status: ExitStatus)?, window: ResolvedWindow
    ) -> Clause {
        let host = spec.host
        if let exit, exit.t <= window.end {
            let text = "\(host) exited (\(exit.status)) at \(Format.seconds(exit.t))"
            return running ? (.fail, text + ", before the window ended at \(Format.seconds(window.end))") : (.pass, text)
        }
        let text = "\(host) still running at \(Format.seconds(window.end))"
        return running ? (.pass, text) : (.fail, text + ", expected it to have exited")
    }

    private func judgeExit(
        _ code: Int32, exit: (index: Int, t: TimeSpan, status: ExitStatus)?, window: ResolvedWindow
    ) -> Clause {
        let host = spec.host
        guard let exit else { return (.fail, "\(host) did not exit in \(window), expected exit \(code)") }
        let when = "at \(Format.seconds(exit.t))"
        guard window.contains(exit.t) else {
            return (.fail, "\(host) exited (\(exit.status)) \(when), outside \(window), expected exit \(code)")
        }
        if exit.status == .exited(code) { return (.pass, "\(host) exited with code \(code) \(when)") }
        return (.fail, "\(host) ended with \(exit.status) \(when), expected exit \(code)")
    }

    private func judgeOutput(
        _ pattern: String, window: ResolvedWindow, history: [Event],
        evidence: inout [String: EvidenceValue], events: inout [EventReference]
    ) -> Clause {
        let host = spec.host
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern)
        } catch {
            return (.unknown, "invalid output pattern \"\(pattern)\": \(error)")
        }
        var lines = 0
        for (i, e) in history.enumerated() where window.contains(e.t) {
            guard case .processOutput(host, _, let line) = e.kind else { continue }
            lines += 1
            if line.contains(regex) {
                evidence["matchingLine"] = .string(line)
                evidence["matchedAtSeconds"] = .number(e.t.seconds)
                events.append(EventReference(label: "matching line", index: i, t: e.t))
                return (.pass, "\(host) printed \"\(line)\" at \(Format.seconds(e.t))")
            }
        }
        evidence["outputLines"] = .number(Double(lines))
        return (.fail, "no line \(host) printed in \(window) matches \"\(pattern)\" (\(lines) lines)")
    }
}
