import Foundation
import Netlink
import ScenarioFormat
import Synchronization

/// A link fault played on a testbed: applies and heals its ``LinkPlan``.
///
/// Apply order: the delay line first (bound before any packet is steered to it), then tc, then
/// the steering rules; heal in reverse, so no packet is ever queued with no reader behind it
/// (and `--queue-bypass` lets traffic through should the reader vanish anyway).
public final class LinkEffect: FaultEffect, Sendable {
    public let plan: LinkPlan
    private let backend: any RouteNetlink
    private let netfilter: any Netfilter
    private let packets: (any PacketEngine)?
    private let roots: SharedRoots
    private let state = Mutex(State())
    /// The decision logs (userspace engine), named in `detail` so the report points at them.
    public let decisionLogs: [String]

    private struct State {
        var applied = false
        var acquiredRoots: [Qdisc] = []
        var lastStatistics: DelayLine.Statistics?
    }

    /// The delay line's counters from the last heal.
    public var lastStatistics: DelayLine.Statistics? { state.withLock { $0.lastStatistics } }

    /// - Parameter packets: the per-packet engine; the userspace engine cannot do without one.
    public init(
        plan: LinkPlan, backend: any RouteNetlink, netfilter: any Netfilter, packets: (any PacketEngine)?, roots: SharedRoots,
        decisionLogs: [String] = []
    ) throws {
        if plan.engine == .userspace && packets == nil { throw FaultError(.noPacketEngine) }
        self.plan = plan
        self.roots = roots
        self.backend = backend
        self.netfilter = netfilter
        self.packets = packets
        self.decisionLogs = decisionLogs
    }

    public var engine: EffectEngine { .link(plan.engine) }

    public var detail: String {
        (plan.commands + decisionLogs.map { "decisions: \($0)" }).joined(separator: "\n")
    }

    public func apply() throws {
        try state.withLock { state in
            if state.applied { return }
            do {
                if plan.engine == .userspace { try packets?.start(plan) }
                for root in plan.roots {
                    try roots.acquire(key(root)) { try backend.addQdisc(root, in: plan.router) }
                    state.acquiredRoots.append(root)
                }
                for change in plan.shaping { try add(change) }
                try netfilter.insert(plan.lanes.flatMap(\.steering), in: plan.router)
            } catch {
                heal(&state)
                throw error
            }
            state.applied = true
        }
    }

    public func heal() throws {
        try state.withLock { state in
            if let error = heal(&state) { throw error }
        }
    }

    /// Undoes everything in reverse, trying every step; returns the first failure.
    @discardableResult
    private func heal(_ state: inout State) -> Error? {
        var firstError: Error?
        func attempt(_ body: () throws -> Void) {
            do { try body() } catch { firstError = firstError ?? error }
        }
        attempt { try netfilter.delete(plan.lanes.reversed().flatMap { $0.steering.reversed() }, in: plan.router) }
        if let stats = packets?.stop() { state.lastStatistics = stats }
        for change in plan.shaping.reversed() { attempt { try delete(change) } }
        for root in state.acquiredRoots.reversed() {
            attempt { try roots.release(key(root)) { try backend.deleteQdisc(root, in: plan.router) } }
        }
        state.acquiredRoots.removeAll()
        state.applied = false
        return firstError
    }

    private func key(_ root: Qdisc) -> String { "\(plan.router.name)/\(root.device)" }

    private func add(_ change: ShapingChange) throws {
        switch change {
        case .trafficClass(let c): try backend.addTrafficClass(c, in: plan.router)
        case .leaf(let q): try backend.addQdisc(q, in: plan.router)
        case .filter(let f): try backend.addFilter(f, in: plan.router)
        }
    }

    private func delete(_ change: ShapingChange) throws {
        switch change {
        case .trafficClass(let c): try backend.deleteTrafficClass(c, in: plan.router)
        case .leaf(let q): try backend.deleteQdisc(q, in: plan.router)
        case .filter(let f): try backend.deleteFilter(f, in: plan.router)
        }
    }
}
