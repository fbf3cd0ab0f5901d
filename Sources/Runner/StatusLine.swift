import Checks
import Foundation
import FaultlineCore
import RunHistory
import ScenarioFormat
import Synchronization

/// The live status line on a terminal: timeline position, active faults, probe and traffic
/// counts, and the expectations whose window has closed, judged so far.
///
/// Counters are fed by the history's observer; a timer redraws the line on stderr four times a
/// second and re-judges closed windows once a second (checks are pure, so this is safe).
final class StatusLine: Sendable {
    /// Guards the counters: ``count(_:)`` runs on whichever thread records, real-time ones
    /// included, so it never waits behind a terminal write (those take `terminal`).
    private let counters = PriorityInheritingMutex(Counters())
    private let terminal = Mutex(())
    private let scenario: Scenario
    private let timer = Mutex<DispatchSourceTimer?>(nil)
    /// Redraws so far; only the timer's serial queue counts them.
    private let ticks = Atomic(0)

    private struct Counters: Sendable {
        var activeFaults: [String] = []
        var probesOK = 0
        var probesFailed = 0
        var requests = 0
        var connections = 0
        var decided = (pass: 0, fail: 0, unknown: 0)

        mutating func tally(_ event: Event) {
            switch event.kind {
            case .faultApplied(let f, _, _, _): activeFaults.append(f)
            case .faultHealed(let f, _): activeFaults.removeAll { $0 == f }
            case .probe(_, _, _, let ok, _, _): if ok { probesOK += 1 } else { probesFailed += 1 }
            case .httpRequest: requests += 1
            case .connection(let c) where c.phase == .attempt: connections += 1
            case .testbedReady, .processStarted, .processOutput, .processExited, .hostReady, .timelineStarted, .faultFailed,
                .connection, .httpResponse, .captureStats, .udpFlow, .dnsMessage, .dnsQuery, .timelineEnded, .cpuSample,
                .stressMeasured, .interrupted, .note: break
            }
        }
    }

    init(scenario: Scenario) { self.scenario = scenario }

    /// Counts one recorded event.
    func count(_ event: Event) {
        counters.withLock { $0.tally(event) }
    }

    /// Starts redrawing; `now` is the run clock, `events` the history so far.
    func start(now: @escaping @Sendable () -> TimeSpan, events: @escaping @Sendable () -> [Event]) {
        self.timer.withLock { slot in
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "faultline.status"))
            timer.schedule(deadline: .now(), repeating: .milliseconds(250))
            timer.setEventHandler { [self] in
                let tick = ticks.add(1, ordering: .relaxed).newValue
                if tick % 4 == 0 { judge(events(), now: now()) }
                draw(now: now())
            }
            slot = timer
            timer.resume()
        }
    }

    /// Stops redrawing and clears the line.
    func stop() {
        timer.withLock { timer in
            timer?.cancel()
            timer = nil
        }
        clear()
    }

    /// Prints a progress line above the status line.
    func print(_ text: String) {
        terminal.withLock { _ in
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)\n".utf8))
        }
    }

    private func clear() { terminal.withLock { _ in FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) } }

    private func judge(_ history: [Event], now: TimeSpan) {
        let resolver = WindowResolver(history: history)
        var d = (pass: 0, fail: 0, unknown: 0)
        for e in scenario.expectations {
            // While the timeline runs, a window reaching its end is cut at the last event: not closed yet.
            guard let w = try? resolver.resolve(e.window), w.end < now,
                resolver.timelineCompleted || w.end < (resolver.timelineEnd ?? now)
            else { continue }
            switch Checker.evaluate(e, resolver: resolver, history: history).verdict {
            case .pass: d.pass += 1
            case .fail: d.fail += 1
            case .unknown: d.unknown += 1
            }
        }
        counters.withLock { $0.decided = d }
    }

    private func draw(now: TimeSpan) {
        let line = counters.withLock { status($0, now: now) }
        terminal.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    private func status(_ counters: Counters, now: TimeSpan) -> String {
        let (activeFaults, decided) = (counters.activeFaults, counters.decided)
        let (probesOK, probesFailed) = (counters.probesOK, counters.probesFailed)
        let (requests, connections) = (counters.requests, counters.connections)
        let position = String(format: "%6.1fs / %@", max(0, now.seconds), scenario.duration.description)
        let faults = activeFaults.isEmpty ? "no faults" : "faults: " + activeFaults.joined(separator: ",")
        var parts = [position, faults, "probes \(probesOK) ok \(probesFailed) failed"]
        if requests + connections > 0 { parts.append("traffic \(connections) conn \(requests) req") }
        let n = decided.pass + decided.fail + decided.unknown
        parts.append("expectations \(n)/\(scenario.expectations.count) decided (\(decided.pass) pass, \(decided.fail) fail)")
        return "\r\u{1B}[2K[\(parts.joined(separator: " | "))]"
    }
}
