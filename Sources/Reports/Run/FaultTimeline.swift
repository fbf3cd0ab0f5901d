import FaultlineCore
import ScenarioFormat

/// One fault's plan against what happened: planned and actual apply and heal on the run clock.
///
/// The deltas are actual minus planned, in milliseconds: how late the fault really took effect.
public struct FaultTimeline: Codable, Sendable, Equatable {
    public var fault: String
    /// The fault kind's keyword (`partition`).
    public var kind: String
    public var engine: String?
    /// Where it acts (``FaultTarget``): `client→api, api→client (drop)` (format 2).
    public var target: String?
    public var plannedApply: TimeSpan
    public var plannedHeal: TimeSpan
    /// nil: the fault never applied (see ``failure``).
    public var actualApply: TimeSpan?
    /// nil: the fault never healed before the history ended.
    public var actualHeal: TimeSpan?
    public var applyDeltaMS: Double?
    public var healDeltaMS: Double?
    /// The first `fault.failed` for this fault, as `operation: error`.
    public var failure: String?
    /// For `cpu: { load: }`: the CPU each stress worker actually burned, % of one CPU.
    public var measuredWorkerCPUPercent: Double?

    public init(
        fault: String, kind: String, target: String? = nil, engine: String? = nil, plannedApply: TimeSpan, plannedHeal: TimeSpan,
        actualApply: TimeSpan? = nil, actualHeal: TimeSpan? = nil, failure: String? = nil
    ) {
        self.fault = fault
        self.kind = kind
        self.target = target
        self.engine = engine
        self.plannedApply = plannedApply
        self.plannedHeal = plannedHeal
        self.actualApply = actualApply
        self.actualHeal = actualHeal
        self.applyDeltaMS = actualApply.map { Self.deltaMS($0 - plannedApply) }
        self.healDeltaMS = actualHeal.map { Self.deltaMS($0 - plannedHeal) }
        self.failure = failure
    }

    /// Milliseconds, rounded to the microsecond so the JSON carries no float noise.
    static func deltaMS(_ d: TimeSpan) -> Double { (Double(d.nanoseconds) / 1_000).rounded() / 1_000 }
}
