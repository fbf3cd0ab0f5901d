import Checks
import Foundation
import Reports
import RunHistory
import ScenarioFormat
import Testing

@Suite struct ReportBuilderTests {
    let report = Fixtures.report()

    @Test func timelineSetsPlannedAgainstActualTimesFromTheHistory() throws {
        let split = try #require(report.timeline.first { $0.fault == "split" })
        #expect(split.kind == "partition")
        #expect(split.engine == "fib-rule")
        #expect(split.plannedApply == .seconds(5))
        #expect(split.actualApply == .milliseconds(5_003))
        #expect(split.applyDeltaMS == 3)
        #expect(split.plannedHeal == .seconds(10))
        #expect(split.actualHeal == .milliseconds(10_002))
        #expect(split.healDeltaMS == 2)
        #expect(split.failure == nil)
    }

    @Test func faultThatNeverAppliedKeepsItsPlanAndItsFailure() throws {
        let late = try #require(report.timeline.first { $0.fault == "late" })
        #expect(late.plannedApply == .seconds(15))
        #expect(late.plannedHeal == .seconds(20), "a fault without `for:` lasts until the end of the run")
        #expect(late.actualApply == nil)
        #expect(late.applyDeltaMS == nil)
        #expect(late.failure == "adding fib rule: Operation not permitted")
        #expect(late.engine == "fib-rule", "engine from the context when the history has none")
        #expect(report.engines == ["split": "fib-rule", "late": "fib-rule"])
    }

    @Test func overallVerdictFailsWhenAnyExpectationFails() {
        #expect(report.expectations.map(\.verdict) == [.pass, .fail, .pass, .pass, .unknown])
        #expect(report.verdict == .fail)
        #expect(report.verdictSummary == "1 of 5 expectations failed")
    }

    @Test func carriesTheRunsIdentityAndContext() {
        #expect(report.formatVersion == RunReport.currentFormatVersion)
        #expect(report.version == FaultlineVersion.current)
        #expect(report.seed == 42)
        #expect(report.runID == "7f1a2b")
        #expect(report.startedAt == "2026-11-18T11:06:40Z")
        #expect(report.machine.kernel == "6.8.0-45-generic")
        #expect(report.files.history == "history.jsonl")
        #expect(!report.interrupted)
        #expect(report.signal == nil)
    }

    @Test func hostsShowAddressProcessAndLastLines() {
        #expect(report.hosts.map(\.name) == ["api", "client"])
        let api = report.hosts[0]
        #expect(api.address == "198.18.0.2")
        #expect(api.command == "./api --port 8080")
        #expect(api.pid == 4242)
        #expect(api.exitStatus == nil)
        #expect(api.outputLineCount == 2)
        #expect(api.lastLines == ["listening on :8080", "upstream unreachable, retrying"])
        #expect(report.hosts[1] == HostSummary(name: "client", address: "198.18.0.3"))
    }

    @Test func keepsOnlyTheLastLinesAndRecordsTheExit() throws {
        var history = Fixtures.history
        history += (1...15).map { Event(t: .seconds(20.5), .processOutput(host: "api", stream: .stdout, line: "line \($0)")) }
        history.append(Event(t: .seconds(21), .processExited(host: "api", pid: 4242, status: .signaled(15))))
        let api = Fixtures.report(history: history).hosts[0]
        #expect(api.outputLineCount == 17)
        #expect(api.lastLines == (6...15).map { "line \($0)" })
        #expect(api.exitStatus == "signal 15")
        #expect(api.exitedAt == .seconds(21))
    }

    @Test func interruptionComesFromTheHistory() {
        let history = Fixtures.history.filter { $0.t < .seconds(12) }
            + [Event(t: .seconds(12), .interrupted(signal: "SIGINT"))]
        let report = Fixtures.report(history: history)
        #expect(report.interrupted)
        #expect(report.signal == "SIGINT")
    }

    @Test func contextAddressesOverrideTheHistory() {
        var context = Fixtures.context
        context.addresses = ["api": "10.0.0.9"]
        #expect(Fixtures.report(context: context).hosts[0].address == "10.0.0.9")
    }
}
