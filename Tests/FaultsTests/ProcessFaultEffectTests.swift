import FaultlineCore
import Faults
import Foundation
import Glibc
import ScenarioFormat
import Testing

/// A stand-in for a host's program: records every signal and restart, never touches a process.
final class RecordingControl: HostProcessControl, @unchecked Sendable {
    let host = "etcd-1"
    private let lock = NSLock()
    private var pid: Int32? = 100
    private(set) var trace: [String] = []
    /// Whether the process ends when it gets TERM (false: it ignores TERM, as a stuck one would).
    var diesOnTerm = true

    var runningPID: Int32? { lock.withLock { pid } }

    func signalGroup(_ signal: Int32) -> Bool {
        lock.withLock {
            guard let p = pid else { return false }
            trace.append("kill -\(signal) -\(p)")
            if signal == SIGKILL || (signal == SIGTERM && diesOnTerm) { pid = nil }
            return true
        }
    }

    func waitForExit(timeout: TimeSpan) -> Bool { lock.withLock { pid == nil } }

    func restart(for fault: String) throws {
        lock.withLock {
            trace.append("restart for \(fault)")
            pid = 200
        }
    }

    var events: [String] { lock.withLock { trace } }
}

struct ProcessFaultEffectTests {
    @Test func pauseStopsTheGroupAndHealResumesIt() throws {
        let control = RecordingControl()
        let effect = ProcessFaultEffect(fault: "freeze", action: .pause, control: control)
        try effect.apply()
        #expect(effect.detail == "kill -STOP -100  # heal: kill -CONT -100")
        try effect.heal()
        try effect.heal()
        #expect(control.events == ["kill -\(SIGSTOP) -100", "kill -\(SIGCONT) -100"])
    }

    @Test func killWithRestartStartsTheHostAgainAfterTheDelay() throws {
        let control = RecordingControl()
        let effect = ProcessFaultEffect(
            fault: "crash", action: .kill(signal: .KILL, restartAfter: .milliseconds(50)), control: control)
        try effect.apply()
        #expect(control.events == ["kill -9 -100"])
        #expect(effect.waitForRestart(timeout: .seconds(2)))
        #expect(control.events == ["kill -9 -100", "restart for crash"])
        #expect(control.runningPID == 200)
    }

    @Test func healCancelsARestartThatHasNotBegun() throws {
        let control = RecordingControl()
        let effect = ProcessFaultEffect(
            fault: "crash", action: .kill(signal: .KILL, restartAfter: .seconds(30)), control: control)
        try effect.apply()
        try effect.heal()
        #expect(effect.waitForRestart(timeout: .seconds(2)))
        #expect(control.events == ["kill -9 -100"])
    }

    @Test func restartEndsAProcessThatIgnoresTheSignalBeforeStartingAgain() throws {
        let control = RecordingControl()
        control.diesOnTerm = false
        let effect = ProcessFaultEffect(
            fault: "poke", action: .kill(signal: .USR1, restartAfter: .zero), control: control)
        try effect.apply()
        #expect(effect.waitForRestart(timeout: .seconds(15)))
        #expect(control.events == ["kill -10 -100", "kill -15 -100", "kill -9 -100", "restart for poke"])
    }

    @Test func aHostWithNothingRunningCannotBeFaulted() throws {
        let control = RecordingControl()
        _ = control.signalGroup(SIGKILL)
        let effect = ProcessFaultEffect(fault: "x", action: .pause, control: control)
        #expect(throws: FaultError.self) { try effect.apply() }
    }
}
