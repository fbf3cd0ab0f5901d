import Foundation
import LinuxSystem
import Netlink
import ScenarioFormat
import Synchronization

/// A partition played on a testbed: applies and heals the changes of its ``PartitionPlan``.
public final class PartitionEffect: FaultEffect, Sendable {
    public let plan: PartitionPlan
    private let backend: any RouteNetlink
    private let netfilter: any Netfilter
    private let applied = Mutex(false)

    public init(plan: PartitionPlan, backend: any RouteNetlink, netfilter: any Netfilter) {
        self.plan = plan
        self.backend = backend
        self.netfilter = netfilter
    }

    public var engine: EffectEngine {
        switch plan.mode {
        case .drop: .fibRule
        case .reject, .reset: .iptables
        }
    }

    public var detail: String { plan.changes.map(\.applyCommand).joined(separator: "\n") }

    /// Applies every change in order; applying an applied partition again does nothing.
    /// If a change fails, the ones before it are undone and the error is rethrown.
    public func apply() throws {
        try applied.withLock { applied in
            if applied { return }
            var done: [Step] = []
            do {
                for step in steps(plan.changes) {
                    try apply(step)
                    done.append(step)
                }
            } catch {
                for step in done.reversed() { try? heal(step) }
                throw error
            }
            applied = true
        }
    }

    /// Undoes every change in reverse order, whether or not it is in place; tries them all and
    /// throws the first failure.
    public func heal() throws {
        try applied.withLock { applied in
            var firstError: Error?
            for step in steps(plan.changes.reversed()) {
                do { try heal(step) } catch { firstError = firstError ?? error }
            }
            applied = false
            if let firstError { throw firstError }
        }
    }

    /// A FIB rule, or consecutive netfilter rules of one namespace applied as one transaction.
    private enum Step {
        case fibRule(FIBRule, NetworkNamespace)
        case packetFilters([IPTablesRule], NetworkNamespace)
    }

    private func steps(_ changes: some Sequence<PartitionChange>) -> [Step] {
        var steps: [Step] = []
        for change in changes {
            switch change {
            case .fibRule(let rule, let ns): steps.append(.fibRule(rule, ns))
            case .packetFilter(let rule, let ns):
                if case .packetFilters(let rules, let last) = steps.last, last == ns {
                    steps[steps.count - 1] = .packetFilters(rules + [rule], ns)
                } else {
                    steps.append(.packetFilters([rule], ns))
                }
            }
        }
        return steps
    }

    private func apply(_ step: Step) throws {
        switch step {
        case .fibRule(let rule, let ns): try backend.addRule(rule, in: ns)
        case .packetFilters(let rules, let ns): try netfilter.insert(rules, in: ns)
        }
    }

    private func heal(_ step: Step) throws {
        switch step {
        case .fibRule(let rule, let ns): try backend.deleteRule(rule, in: ns)
        case .packetFilters(let rules, let ns): try netfilter.delete(rules, in: ns)
        }
    }
}
