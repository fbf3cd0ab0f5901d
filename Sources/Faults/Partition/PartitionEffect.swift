import Foundation
import Netlink
import ScenarioFormat

/// A partition played on a testbed: applies and heals the changes of its ``PartitionPlan``.
public final class PartitionEffect: FaultEffect, @unchecked Sendable {
    public let plan: PartitionPlan
    private let backend: any RouteNetlink
    private let netfilter: any Netfilter
    private let lock = NSLock()
    private var applied = false

    public init(plan: PartitionPlan, backend: any RouteNetlink, netfilter: any Netfilter) {
        self.plan = plan
        self.backend = backend
        self.netfilter = netfilter
    }

    public var engine: String {
        switch plan.mode {
        case .drop: "fib-rule"
        case .reject, .reset: "iptables"
        }
    }

    public var detail: String { plan.changes.map(\.applyCommand).joined(separator: "\n") }

    /// Applies every change in order; applying an applied partition again does nothing.
    /// If a change fails, the ones before it are undone and the error is rethrown.
    public func apply() throws {
        try lock.withLock {
            if applied { return }
            var done: [PartitionChange] = []
            do {
                for change in plan.changes {
                    try apply(change)
                    done.append(change)
                }
            } catch {
                for change in done.reversed() { try? heal(change) }
                throw error
            }
            applied = true
        }
    }

    /// Undoes every change in reverse order, whether or not it is in place; tries them all and
    /// throws the first failure.
    public func heal() throws {
        try lock.withLock {
            var firstError: Error?
            for change in plan.changes.reversed() {
                do { try heal(change) } catch { firstError = firstError ?? error }
            }
            applied = false
            if let firstError { throw firstError }
        }
    }

    private func apply(_ change: PartitionChange) throws {
        switch change {
        case .fibRule(let rule, let ns): try backend.addRule(rule, in: ns)
        case .packetFilter(let rule, let ns): try netfilter.insert(rule, in: ns)
        }
    }

    private func heal(_ change: PartitionChange) throws {
        switch change {
        case .fibRule(let rule, let ns): try backend.deleteRule(rule, in: ns)
        case .packetFilter(let rule, let ns): try netfilter.delete(rule, in: ns)
        }
    }
}
