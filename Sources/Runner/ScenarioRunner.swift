import Checks
import DNS
import FaultlineCore
import Faults
import Foundation
import LinuxSystem
import Netlink
import Observer
import Reports
import RunHistory
import ScenarioFormat
import Services
import Synchronization
import Testbed

/// Plays one scenario end to end: builds the testbed, starts the hosts' programs, waits for them
/// to be ready, plays the fault timeline while probes run, judges the expectations from the
/// history, tears everything down (in reverse order, also on error and on signals) and writes
/// the report.
///
/// Setup builds the run up step by step in ``state``, under its lock; at t = 0 what it built is
/// frozen into a ``RunContext``, which the timeline's concurrent tasks read without one.
public final class ScenarioRunner: Sendable {
    public let scenario: Scenario
    public let options: RunOptions
    public let runID: String
    let clock = RunClock()
    let teardown = TeardownStack()
    let interruption = Interruption()
    /// The stand-in services of `service:` hosts.
    let services = StandInServices()
    /// Set at t = 0; progress lines before it are stamped `setup`.
    private let timelineStarted = Atomic(false)
    /// The live status line, with ``ProgressStyle/status``.
    private let statusLine: StatusLine?
    /// What setup has built so far.
    let state = Mutex(RunnerState())

    public init(scenario: Scenario, options: RunOptions, runID: String = ScenarioRunner.newRunID()) {
        var s = scenario
        if let seed = options.seed { s.seed = seed }
        self.scenario = s
        self.options = options
        self.runID = runID
        statusLine = options.progress && options.style == .status ? StatusLine(scenario: s) : nil
    }

    /// Six hex digits: short enough for namespace names, unique enough for concurrent runs.
    public static func newRunID() -> String {
        String(format: "%06x", UInt32.random(in: 0..<0x100_0000))
    }

    public func run() async -> RunResult {
        let startedAt = Date()
        let reportDir = ReportWriter.directory(
            reportsRoot: options.reportsRoot, scenario: scenario.name, startedAt: startedAt, runID: runID)
        do {
            try FileManager.default.createDirectory(at: reportDir, withIntermediateDirectories: true)
        } catch {
            return RunResult(
                outcome: .setupFailed("creating report folder \(reportDir.path): \(error)"), runID: runID,
                reportDirectory: nil, reportFile: nil, summary: "")
        }
        // Read now: the copy in the run folder is the file as it was run, even if edited meanwhile.
        let scenarioSource = scenario.file.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
        let historyURL = reportDir.appendingPathComponent("history.jsonl")
        // Checks and reports read from the history only: a run that cannot keep one does not start.
        guard FileManager.default.createFile(atPath: historyURL.path, contents: nil),
              let sink = try? FileHandle(forWritingTo: historyURL)
        else {
            return RunResult(
                outcome: .setupFailed("creating the history \(historyURL.path): \(String(cString: strerror(errno)))"),
                runID: runID, reportDirectory: nil, reportFile: nil, summary: "")
        }
        let history = History(sink: sink, clock: { [clock] in clock.now() }, observer: eventObserver())
        state.withLock { $0.history = history }
        defer {
            history.close()
            try? sink.close()
        }
        if let statusLine {
            statusLine.start(now: { [clock] in clock.now() }, events: { history.events })
        }
        defer { statusLine?.stop() }

        await interruption.start()
        defer { interruption.stop() }

        var setupError: String?
        let setupStart = RunClock.monotonicNow()
        // Before anything is built: a missing tool skips the run, it does not fail it half-way.
        let skipped = RequirementCheck.skipReason(for: scenario, path: ProcessInfo.processInfo.environment["PATH"] ?? "")
        if let skipped {
            history.record(.note(message: "skipped: \(skipped)"))
            progress("skipped: \(skipped)")
        } else {
            do {
                try prepare()
                try prepareFaultEngines(reportDirectory: reportDir)
                startObserver(reportDir: reportDir)
                try startDNS()
                try startHosts()
                startCPUSampler()
                let setupTime = elapsed(since: setupStart)
                state.withLock { $0.timings.setup = setupTime }
                try waitUntilReady()
                let timelineStart = RunClock.monotonicNow()
                history.startTimeline(on: clock)
                timelineStarted.store(true, ordering: .sequentiallyConsistent)
                progress("t=0: every host is ready; timeline starts (\(scenario.duration))")
                try startProbes()
                await playTimeline(try timelineContext())
                history.record(.timelineEnded)
                let timelineTime = elapsed(since: timelineStart)
                state.withLock { $0.timings.timeline = timelineTime }
                stopObserver()
            } catch is CancellationError {
                // Interrupted: handled below.
            } catch {
                setupError = "\(error)"
                history.record(.note(message: "setup failed: \(error)"))
                progress("error: \(error)")
            }
        }
        if let signal = interruption.signal {
            history.record(.interrupted(signal: signal))
            progress("\(signal): healing and tearing down")
        }

        let teardownStart = RunClock.monotonicNow()
        for error in teardown.unwind() {
            history.record(.note(message: "teardown: \(error)"))
            progress("teardown error: \(error)")
        }
        let teardownTime = elapsed(since: teardownStart)
        state.withLock { $0.timings.teardown = teardownTime }

        do {
            try history.rewrite(to: historyURL)
        } catch {
            progress("error: rewriting \(historyURL.path): \(error)")
        }
        return finish(
            startedAt: startedAt, reportDir: reportDir, setupError: setupError, skipped: skipped, scenarioSource: scenarioSource)
    }

    // MARK: Steps

    /// Registers the run's state (before anything exists), reaps dead runs, and builds the network.
    private func prepare() throws {
        for report in Reaper.reapDeadRuns() {
            progress("reaped a dead run: \(report)")
        }
        let plan = try TopologyPlan.make(runID: runID, hosts: scenario.hosts.map(\.name), network: scenario.network)
        let cgroupPlan = planCgroups()
        let state = RunState(
            runID: runID, scenario: scenario.name, startedAt: ISO8601DateFormatter().string(from: Date()),
            namespaces: [plan.routerNamespace.name] + plan.hosts.map(\.namespace.name),
            cgroups: cgroupPlan.directories)
        try RunRegistry.register(state)
        teardown.push("unregistering run \(runID)") { RunRegistry.unregister(runID: self.runID) }
        try createCgroups(cgroupPlan)
        // Whatever happens later, the namespaces go: the reaper's sweep is the last word.
        teardown.push("removing namespaces of run \(runID)") {
            let report = Reaper.reap(namespaces: state.namespaces.map(NetworkNamespace.init(name:)))
            if !report.errors.isEmpty { throw RunnerError(operation: "removing namespaces", detail: report.errors.joined(separator: "; ")) }
        }
        let topology = try Topology.build(plan)
        self.state.withLock { $0.topology = topology }
        teardown.push("tearing down the testbed") { try topology.teardown() }
        var addresses: [String: String] = [:]
        for h in plan.hosts { addresses[h.host] = h.address.description }
        addresses["router"] = plan.routerAddress.description
        history.record(.testbedReady(addresses: addresses))
        progress("testbed \(runID) built: \(plan.hosts.map { "\($0.host)=\($0.address)" }.joined(separator: " "))")
    }

    /// One progress line on stderr, stamped with the timeline's clock (`setup` before t = 0);
    /// the lines of a multi-line message are indented under the first.
    func progress(_ line: String) {
        guard options.progress else { return }
        let timelineStarted = timelineStarted.load(ordering: .sequentiallyConsistent)
        if options.style == .json {
            JSONLines.print(["type": "progress", "t": clock.now().seconds, "message": line, "phase": timelineStarted ? "timeline" : "setup"])
            return
        }
        let stamp = timelineStarted ? String(format: "[%8.3f]", clock.now().seconds) : "[   setup]"
        let text = line.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n           ")
        if let statusLine {
            statusLine.print("\(stamp) \(text)")
        } else {
            FileHandle.standardError.write(Data("\(stamp) \(text)\n".utf8))
        }
    }

    /// What watches each recorded event: the status line's counters, or `--json`'s stdout.
    private func eventObserver() -> (@Sendable (Event) -> Void)? {
        guard options.progress else { return nil }
        switch options.style {
        case .json: return { event in JSONLines.print(event) }
        case .status: return { [statusLine] event in statusLine?.count(event) }
        case .lines, .quiet: return nil
        }
    }


    func elapsed(since start: UInt64) -> TimeSpan {
        TimeSpan(nanoseconds: Int64(RunClock.monotonicNow() - start))
    }

    // MARK: State

    /// The run's history, made as ``run()`` starts.
    var history: History { state.withLock { $0.history! } }

    /// The testbed, once built.
    var topology: Topology? { state.withLock { $0.topology } }

    /// Freezes what setup built into the context the timeline reads.
    private func timelineContext() throws -> RunContext {
        let hosts = hostFaultContext
        return try state.withLock { state in
            guard let history = state.history, let topology = state.topology else {
                throw RunnerError(operation: "starting the timeline", detail: "no testbed")
            }
            return RunContext(
                scenario: scenario, clock: clock, history: history, topology: topology, teardown: teardown,
                interruption: interruption, faultEnvironment: state.faultEnvironment, hosts: hosts, probers: state.probers)
        }
    }
}

/// What setup builds up, step by step: read and written only under ``ScenarioRunner/state``'s lock.
struct RunnerState {
    var history: History?
    var topology: Topology?
    var processes: [String: HostProcess] = [:]
    var contexts: [String: HostContext] = [:]
    var supervisors: [String: HostSupervisor] = [:]
    /// Each host's cgroup; empty when the machine has no usable cpu controller.
    var cgroups: [String: HostCgroup] = [:]
    var probers: [Prober] = []
    var observer: TrafficObserver?
    /// The scenario's DNS server, started right after the testbed is built.
    var dnsServer: DNSServer?
    var timings = PhaseTimings()
    /// Seed, determinism, kernel capabilities and report folder, for the faults (set before t = 0).
    var faultEnvironment = FaultEnvironment()
}

/// How long each phase of the run took.
struct PhaseTimings {
    var setup: TimeSpan = .zero
    var timeline: TimeSpan = .zero
    var teardown: TimeSpan = .zero
}

/// A step of the run failed.
public struct RunnerError: Error, CustomStringConvertible {
    public var operation: String
    public var detail: String
    public var description: String { "\(operation): \(detail)" }
}
