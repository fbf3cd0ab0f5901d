import Checks
import FaultlineCore
import Foundation
import RunHistory
import ScenarioFormat

/// Assembles a ``RunReport`` from the scenario, the history and the verdicts: a pure function.
public enum ReportBuilder {
    public static func build(
        scenario: Scenario, history: [Event], results: [CheckResult], context: ReportContext
    ) -> RunReport {
        let resolver = WindowResolver(history: history)
        let timeline = scenario.faults.map { faultTimeline($0, scenario: scenario, resolver: resolver, history: history, context: context) }
        var engines: [String: String] = [:]
        for entry in timeline { engines[entry.fault] = entry.engine }

        var signal = context.interruptedBy
        for e in history {
            if case .interrupted(let s) = e.kind {
                signal = s
                break
            }
        }

        return RunReport(
            scenario: scenario, seed: scenario.seed, runID: context.runID,
            startedAt: iso8601(context.startedAt), machine: context.machine, engines: engines,
            hosts: hostSummaries(scenario: scenario, history: history, context: context), timeline: timeline,
            // A skipped scenario proved nothing: unknown, never a pass.
            expectations: results, verdict: context.skipped == nil ? Checker.overall(results) : .unknown,
            verdictSummary: context.skipped.map { "skipped: \($0)" } ?? (context.setupError == nil
                ? Checker.overallSummary(results) : "the run never reached its timeline"),
            score: context.skipped == nil ? .of(expectations: scenario.expectations, results: results) : nil,
            setupError: context.setupError, skipped: context.skipped, interrupted: signal != nil, signal: signal,
            durations: context.durations, files: files(context), capture: lastCaptureStats(history))
    }

    /// The context's files, with the capture named wherever the context put it.
    static func files(_ context: ReportContext) -> ReportFiles {
        var files = context.files
        files.capture = files.capture ?? context.captureFile
        return files
    }

    static func faultTimeline(
        _ fault: Fault, scenario: Scenario, resolver: WindowResolver, history: [Event], context: ReportContext
    ) -> FaultTimeline {
        let times = resolver.times(of: fault.name)
        var plannedApply = fault.at
        var engine = context.engines[fault.name]
        if case .faultApplied(_, let planned, let e, _)? = times?.applied.kind {
            plannedApply = planned
            engine = e
        }
        var plannedHeal = fault.end(runDuration: scenario.duration)
        if case .faultHealed(_, let planned)? = times?.healed?.kind { plannedHeal = planned }
        var entry = FaultTimeline(
            fault: fault.name, kind: fault.kind.keyword, target: FaultTarget.describe(fault.kind), engine: engine, plannedApply: plannedApply,
            plannedHeal: plannedHeal, actualApply: times?.applied.t, actualHeal: times?.healed?.t,
            failure: resolver.failure(of: fault.name))
        for e in history {
            if case .stressMeasured(fault.name, _, let workers, let cpu, let wall) = e.kind, wall > 0, workers > 0 {
                entry.measuredWorkerCPUPercent = (cpu / wall / Double(workers) * 1000).rounded() / 10
            }
        }
        return entry
    }

    static func hostSummaries(scenario: Scenario, history: [Event], context: ReportContext) -> [HostSummary] {
        var addresses: [String: String] = [:]
        var summaries: [String: HostSummary] = [:]
        var lines: [String: [String]] = [:]
        var cpu: [String: (first: (t: TimeSpan, s: Double), last: (t: TimeSpan, s: Double))] = [:]
        for host in scenario.hosts { summaries[host.name] = HostSummary(name: host.name, command: host.run) }

        for e in history {
            switch e.kind {
            case .testbedReady(let a):
                addresses.merge(a) { _, new in new }
            case .processStarted(let host, let pid, let command):
                summaries[host, default: HostSummary(name: host)].pid = pid
                summaries[host]?.command = command
            case .processOutput(let host, _, let line):
                summaries[host, default: HostSummary(name: host)].outputLineCount += 1
                lines[host, default: []].append(line)
                if lines[host]!.count > context.lastLineCount { lines[host]!.removeFirst() }
            case .processExited(let host, _, let status):
                summaries[host, default: HostSummary(name: host)].exitStatus = status.description
                summaries[host]?.exitedAt = e.t
            case .cpuSample(let host, let seconds, _):
                let sample = (t: e.t, s: seconds)
                cpu[host] = (cpu[host]?.first ?? sample, sample)
            case .hostReady, .timelineStarted, .faultApplied, .faultHealed, .faultFailed, .probe, .connection,
                .httpRequest, .httpResponse, .captureStats, .udpFlow, .dnsMessage, .dnsQuery, .timelineEnded,
                .stressMeasured, .interrupted, .note:
                break
            }
        }
        addresses.merge(context.addresses) { _, new in new }

        // Scenario order first, then any host only the history knows, by name.
        let order = scenario.hosts.map(\.name) + summaries.keys.filter { scenario.host(named: $0) == nil }.sorted()
        return order.compactMap { name in
            guard var s = summaries[name] else { return nil }
            s.address = addresses[name]
            s.lastLines = lines[name] ?? []
            if let c = cpu[name] {
                s.cpuSeconds = (c.last.s * 1000).rounded() / 1000
                let span = (c.last.t - c.first.t).seconds
                if span > 0 { s.averageCPUPercent = ((c.last.s - c.first.s) / span * 1000).rounded() / 10 }
            }
            return s
        }
    }

    /// The capture's final counters: its last `capture.stats` event.
    static func lastCaptureStats(_ history: [Event]) -> CaptureStats? {
        for e in history.reversed() {
            if case .captureStats(let stats) = e.kind { return stats }
        }
        return nil
    }

    /// `2026-11-21T21:31:40Z`
    static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
