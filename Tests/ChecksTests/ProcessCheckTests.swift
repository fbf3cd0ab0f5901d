import Checks
import FaultlineCore
import RunHistory
import ScenarioFormat
import Testing

@Suite struct ProcessCheckTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var exit: FaultlineCore.ExitStatus?
        var spec: ProcessExpectation
        var until: TimeSpan?
        var verdict: Verdict
        var summary: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "running passes when the process never exited", exit: nil,
             spec: ProcessExpectation(host: "api", running: true), verdict: .pass, summary: "api still running at 20s"),
        Case(label: "running fails when the process exited before the window ended", exit: .exited(3),
             spec: ProcessExpectation(host: "api", running: true), verdict: .fail,
             summary: "api exited (exit 3) at 15s, before the window ended at 20s"),
        Case(label: "running passes when the process exited only after the window", exit: .exited(3),
             spec: ProcessExpectation(host: "api", running: true), until: .seconds(10), verdict: .pass,
             summary: "api still running at 10s"),
        Case(label: "running false passes when the process exited", exit: .exited(0),
             spec: ProcessExpectation(host: "api", running: false), verdict: .pass, summary: "api exited (exit 0) at 15s"),
        Case(label: "exit code matches", exit: .exited(0),
             spec: ProcessExpectation(host: "api", exitCode: 0), verdict: .pass, summary: "api exited with code 0 at 15s"),
        Case(label: "exit code mismatch shows the actual status", exit: .exited(3),
             spec: ProcessExpectation(host: "api", exitCode: 0), verdict: .fail,
             summary: "api ended with exit 3 at 15s, expected exit 0"),
        Case(label: "killed by a signal is not an exit code", exit: .signaled(9),
             spec: ProcessExpectation(host: "api", exitCode: 0), verdict: .fail,
             summary: "api ended with signal 9 at 15s, expected exit 0"),
        Case(label: "no exit at all fails an exit expectation", exit: nil,
             spec: ProcessExpectation(host: "api", exitCode: 0), verdict: .fail,
             summary: "api did not exit in [0s, 20s], expected exit 0"),
        Case(label: "output matches a line printed in the window", exit: nil,
             spec: ProcessExpectation(host: "api", output: "fallback to (cache|disk)"), verdict: .pass,
             summary: "api printed \"upstream unreachable, fallback to cache\" at 6s"),
        Case(label: "output printed before t = 0 is outside the window", exit: nil,
             spec: ProcessExpectation(host: "api", output: "^listening"), verdict: .fail,
             summary: "no line api printed in [0s, 20s] matches \"^listening\" (1 lines)"),
        Case(label: "every clause must hold", exit: .exited(0),
             spec: ProcessExpectation(host: "api", running: true, output: "fallback"), verdict: .fail,
             summary: "api exited (exit 0) at 15s, before the window ended at 20s; api printed \"upstream unreachable, fallback to cache\" at 6s"),
        Case(label: "a host without a process cannot be judged", exit: nil,
             spec: ProcessExpectation(host: "db", running: true), verdict: .unknown,
             summary: "host \"db\" never started a process"),
        Case(label: "an expectation with no clause cannot be judged", exit: nil,
             spec: ProcessExpectation(host: "api"), verdict: .unknown,
             summary: "nothing to check: set running, exit or output"),
    ]

    @Test(arguments: cases)
    func judgesTheHostsProcessEvents(_ c: Case) {
        let history = Histories.process(exit: c.exit)
        let result = Checker.evaluate(
            ScenarioFormat.Expectation(name: "api", window: Window(until: c.until), kind: .process(c.spec)),
            resolver: WindowResolver(history: history), history: history)
        #expect(result.verdict == c.verdict)
        #expect(result.summary == c.summary)
        #expect(result.kind == "process")
    }

    @Test func invalidOutputPatternIsUnknownWithTheReason() {
        let history = Histories.process()
        let result = ProcessCheck(name: "api", spec: ProcessExpectation(host: "api", output: "fallback (to"))
            .evaluate(in: ResolvedWindow(start: .zero, end: .seconds(20)), history: history)
        #expect(result.verdict == .unknown)
        #expect(result.summary.hasPrefix("invalid output pattern \"fallback (to\": "))
    }

    @Test func evidencePointsAtTheExitAndTheMatchingLine() throws {
        let history = Histories.process(exit: .exited(3))
        let result = ProcessCheck(name: "api", spec: ProcessExpectation(host: "api", exitCode: 3, output: "fallback"))
            .evaluate(in: ResolvedWindow(start: .zero, end: .seconds(20)), history: history)
        #expect(result.verdict == .pass)
        #expect(result.evidence["pid"] == 42)
        #expect(result.evidence["exitStatus"] == "exit 3")
        #expect(result.evidence["exitedAtSeconds"] == 15)
        #expect(result.evidence["matchedAtSeconds"] == 6)
        #expect(result.events.map(\.label) == ["exit", "matching line"])
        for ref in result.events { #expect(history[ref.index].t == ref.t) }
    }

    @Test func afterAKillAndRestartTheRestartedProcessIsJudged() {
        var history = Histories.process(exit: .signaled(9))
        history.append(Event(t: .seconds(17), .processStarted(host: "api", pid: 77, command: "./api")))
        history = Histories.sorted(history)
        let running = ProcessCheck(name: "api", spec: ProcessExpectation(host: "api", running: true))
        let whole = running.evaluate(in: ResolvedWindow(start: .zero, end: .seconds(20)), history: history)
        #expect(whole.verdict == .pass, "\(whole.summary)")
        #expect(whole.evidence["pid"] == 77 && whole.evidence["starts"] == 2)
        // Judged at 16 s the killed one was the process, and it was gone.
        let between = running.evaluate(in: ResolvedWindow(start: .zero, end: .seconds(16)), history: history)
        #expect(between.verdict == .fail && between.summary.contains("signal 9"))
        // The restarted process's own exit is the one an exit expectation reads.
        history.append(Event(t: .seconds(19), .processExited(host: "api", pid: 77, status: .exited(0))))
        let exit = ProcessCheck(name: "api", spec: ProcessExpectation(host: "api", exitCode: 0))
            .evaluate(in: ResolvedWindow(start: .zero, end: .seconds(20)), history: Histories.sorted(history))
        #expect(exit.verdict == .pass, "\(exit.summary)")
    }
}
