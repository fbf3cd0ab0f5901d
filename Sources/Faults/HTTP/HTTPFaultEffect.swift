import Foundation
import ScenarioFormat
import Services

/// An HTTP fault played on a running stand-in: installs its rule at apply, removes it at heal.
public final class HTTPFaultEffect: FaultEffect, Sendable {
    public let rule: HTTPFaultRule
    private let target: any HTTPFaultTarget

    public init(rule: HTTPFaultRule, target: any HTTPFaultTarget) {
        self.rule = rule
        self.target = target
    }

    /// The effect of `fault` on the stand-in it targets, among `services` (by host).
    public static func make(_ fault: HTTPFault, name: String, services: [String: any HTTPFaultTarget]) throws -> HTTPFaultEffect {
        let rule = try HTTPFaultPlanner.plan(fault, name: name, servicesOn: Set(services.keys))
        guard let target = services[fault.target] else { throw FaultError(.noService(fault.target)) }
        return HTTPFaultEffect(rule: rule, target: target)
    }

    public var engine: EffectEngine { .standIn }

    public var detail: String { "service \(target.host): \(rule.summary)" }

    /// Installs the rule; its counts (`first`, sequences) start from this moment.
    public func apply() throws { target.install(rule) }

    /// Removes the rule; idempotent.
    public func heal() throws { target.removeRule(named: rule.name) }
}
