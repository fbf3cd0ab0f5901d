import FaultlineCore
import RunHistory
import ScenarioFormat

/// The part of the timeline an expectation was judged in, as actual times on the run's clock.
public struct ResolvedWindow: Codable, Sendable, Equatable, CustomStringConvertible {
    public var start: TimeSpan
    public var end: TimeSpan
    /// When the `after:` fault actually healed; recovery is measured from here, not from `start`.
    public var healedAt: TimeSpan?

    public init(start: TimeSpan, end: TimeSpan, healedAt: TimeSpan? = nil) {
        self.start = start
        self.end = end
        self.healedAt = healedAt
    }

    /// Both ends are inclusive.
    public func contains(_ t: TimeSpan) -> Bool { start <= t && t <= end }

    /// `[5s, 10s]`
    public var description: String { Format.interval(start, end) }
}

/// Turns a scenario ``Window`` into actual times, read from the history.
///
/// - t = 0 is the `timeline.started` event; the end is `timeline.ended`, or the last event when
///   the run was interrupted before it.
/// - A fault's apply and heal are its first `fault.applied` and the first `fault.healed` after it.
///   A fault still in effect at the end counts as healed at the end for `during:`.
/// - `during`, `after`, `before`, `from` and `until` may be combined; the window is their intersection.
public struct WindowResolver: Sendable {
    /// The actual apply and heal of one fault.
    public struct FaultTimes: Sendable, Equatable {
        public var applied: Event
        /// The index of `applied` in the history.
        public var appliedIndex: Int
        public var healed: Event?
        public var healedIndex: Int?
    }

    /// When the timeline started (t = 0 on the run clock, normally exactly zero).
    public let timelineStart: TimeSpan?
    /// When the timeline ended, or the last event's time if it never did.
    public let timelineEnd: TimeSpan?
    /// Whether the history holds a `timeline.ended` event.
    public let timelineCompleted: Bool
    private let faults: [String: FaultTimes]
    private let failures: [String: String]

    public init(history: [Event]) {
        var start: TimeSpan?
        var end: TimeSpan?
        var faults: [String: FaultTimes] = [:]
        var failures: [String: String] = [:]
        for (i, e) in history.enumerated() {
            switch e.kind {
            case .timelineStarted where start == nil:
                start = e.t
            case .timelineEnded where end == nil:
                end = e.t
            case .faultApplied(let f, _, _, _) where faults[f] == nil:
                faults[f] = FaultTimes(applied: e, appliedIndex: i)
            case .faultHealed(let f, _):
                if var times = faults[f], times.healed == nil {
                    times.healed = e
                    times.healedIndex = i
                    faults[f] = times
                }
            case .faultFailed(let f, let operation, let error) where failures[f] == nil:
                failures[f] = "\(operation): \(error)"
            case .testbedReady, .processStarted, .processOutput, .processExited, .hostReady, .timelineStarted,
                .faultApplied, .faultFailed, .probe, .connection, .httpRequest, .httpResponse, .captureStats, .udpFlow,
                .dnsMessage, .dnsQuery, .timelineEnded, .cpuSample, .stressMeasured, .interrupted, .note:
                break
            }
        }
        self.timelineStart = start
        self.timelineCompleted = end != nil
        self.timelineEnd = start == nil ? nil : (end ?? history.last?.t)
        self.faults = faults
        self.failures = failures
    }

    /// The actual apply and heal of `fault`, or nil if it never applied.
    public func times(of fault: String) -> FaultTimes? { faults[fault] }

    /// The first `fault.failed` of `fault`, as `operation: error`.
    public func failure(of fault: String) -> String? { failures[fault] }

    /// The window's actual bounds; throws a ``CheckError`` when the history cannot place it.
    public func resolve(_ window: Window) throws(CheckError) -> ResolvedWindow {
        guard let zero = timelineStart, let runEnd = timelineEnd else { throw .timelineNeverStarted }
        var start = zero
        var end = runEnd
        var healedAt: TimeSpan?

        if let f = window.during {
            let times = try applied(f)
            start = max(start, times.applied.t)
            end = min(end, times.healed?.t ?? runEnd)
        }
        if let f = window.after {
            let times = try applied(f)
            guard let healed = times.healed, healed.t <= runEnd else { throw .faultNeverHealed(f) }
            healedAt = healed.t
            start = max(start, healed.t + (window.within ?? .zero))
        }
        if let f = window.before {
            end = min(end, try applied(f).applied.t)
        }
        if let from = window.from { start = max(start, zero + from) }
        if let until = window.until { end = min(end, zero + until) }

        guard start <= end else {
            throw .emptyWindow("it would start at \(Format.seconds(start)) but ends at \(Format.seconds(end))")
        }
        return ResolvedWindow(start: start, end: end, healedAt: healedAt)
    }

    private func applied(_ fault: String) throws(CheckError) -> FaultTimes {
        guard let times = faults[fault] else { throw .faultNeverApplied(fault, failure: failures[fault]) }
        return times
    }
}
