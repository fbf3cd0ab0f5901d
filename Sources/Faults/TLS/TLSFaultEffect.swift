import ScenarioFormat
import Services

/// A TLS fault played on a stand-in that serves TLS: installs its rule at apply (making the
/// certificate it presents, or the server context for its version), removes it at heal.
public final class TLSFaultEffect: FaultEffect, Sendable {
    public let rule: TLSFaultRule
    private let target: StandInTLS

    public init(rule: TLSFaultRule, target: StandInTLS) {
        self.rule = rule
        self.target = target
    }

    /// The effect of `fault` on the TLS stand-in it targets, among `targets` (by host).
    public static func make(_ fault: TLSFault, name: String, targets: [String: StandInTLS]) throws -> TLSFaultEffect {
        let rule = try TLSFaultPlanner.plan(fault, name: name, servingTLS: Set(targets.keys))
        guard let target = targets[fault.target] else { throw FaultError(.noTLSService(fault.target)) }
        return TLSFaultEffect(rule: rule, target: target)
    }

    public var engine: EffectEngine { .standIn }

    public var detail: String {
        let lasting = rule.action == .certificate(.rotated) ? " (for good: a rotation stays)" : ""
        return "service \(target.host): new TLS handshakes meet \(rule.action)\(lasting)"
    }

    /// Installs the rule; handshakes that start from now on meet it.
    public func apply() throws {
        do {
            try target.install(rule)
        } catch {
            throw FaultError(.tlsSetup(host: target.host, detail: "\(error)"))
        }
    }

    /// Removes the rule; idempotent. A rotation has nothing to remove.
    public func heal() throws { target.remove(named: rule.name) }
}
