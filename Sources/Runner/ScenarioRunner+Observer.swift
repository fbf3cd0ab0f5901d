import Foundation
import Observer
import RunHistory
import Testbed

extension ScenarioRunner {
    static let captureFileName = "capture.pcap"

    /// Starts the traffic observer on the built testbed, writing `capture.pcap` in the report
    /// folder. A capture that cannot start is noted and the run goes on without it: the other
    /// evidence still stands, and checks that need traffic say unknown.
    func startObserver(reportDir: URL) {
        guard let topology else { return }
        let observer = TrafficObserver(
            topology: topology, history: history, clock: clock,
            captureFile: reportDir.appendingPathComponent(Self.captureFileName))
        do {
            try observer.start()
        } catch {
            history.record(.note(message: "traffic observer not started: \(error)"))
            progress("traffic observer not started: \(error)")
            return
        }
        state.withLock { $0.observer = observer }
        teardown.push("stopping the traffic observer") { try observer.stop() }
    }

    /// Stops the observer once the timeline is over, so its last stats land before teardown.
    func stopObserver() {
        guard let observer = state.withLock({ $0.observer }) else { return }
        do {
            if let summary = try observer.stop(), summary.stats.dropped + summary.stats.interfaceDropped > 0 {
                progress("capture dropped \(summary.stats.dropped + summary.stats.interfaceDropped) of \(summary.stats.received) packets")
            }
        } catch {
            history.record(.note(message: "traffic observer: \(error)"))
        }
    }

    /// The capture file's name for the report, when the observer ran.
    var captureFileForReport: String? { state.withLock { $0.observer } == nil ? nil : Self.captureFileName }
}
