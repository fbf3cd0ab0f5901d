import Foundation
import FaultlineCore

/// The hijacks in force, in the order they were applied; the first that matches and claims a
/// query shapes it. Faults switch rules in and out from any thread while the server reads.
public final class DNSRuleSet: Sendable {
    /// The UDP loop's real-time thread reads under it while the timeline's thread switches
    /// faults: priority-inheriting, so a switch never stalls the answers.
    private let rules = PriorityInheritingMutex<[Installed]>([])

    /// A rule in force and what it has decided so far.
    private struct Installed: Sendable {
        let rule: DNSRule
        var claims: DNSRule.Claims
    }

    public init() {}

    /// Puts a rule in force (after those already there); a rule of the same fault is replaced.
    public func install(_ rule: DNSRule) {
        rules.withLock { rules in
            rules.removeAll { $0.rule.fault == rule.fault }
            rules.append(Installed(rule: rule, claims: DNSRule.Claims(random: rule.stream)))
        }
    }

    /// Takes the fault's rule out; nothing happens if it is not in force.
    public func remove(fault: String) {
        rules.withLock { rules in
            rules.removeAll { $0.rule.fault == fault }
        }
    }

    /// No hijack is in force: every query gets the zone's answer.
    public var isEmpty: Bool { rules.withLock { $0.isEmpty } }

    /// The faults in force, in order.
    public var faults: [String] { rules.withLock { $0.map(\.rule.fault) } }

    /// The rule that shapes this query, if any (claiming it counts towards `first:`).
    public func decide(name: [UInt8], type: DNSType, host: String?, transport: DNSTransport) -> DNSRule? {
        rules.withLock { rules in
            for i in rules.indices where rules[i].rule.matches(name: name, type: type, host: host, transport: transport) {
                if rules[i].rule.claim(&rules[i].claims) { return rules[i].rule }
            }
            return nil
        }
    }
}
