import FaultlineCore
import ScenarioFormat

/// How long each phase of the run took.
public struct ReportDurations: Codable, Sendable, Equatable {
    /// Building the testbed and waiting for every host to be ready.
    public var setup: TimeSpan
    /// t = 0 to the end of the timeline.
    public var timeline: TimeSpan
    /// Healing, stopping processes and removing the testbed.
    public var teardown: TimeSpan

    public init(setup: TimeSpan, timeline: TimeSpan, teardown: TimeSpan) {
        self.setup = setup
        self.timeline = timeline
        self.teardown = teardown
    }
}
