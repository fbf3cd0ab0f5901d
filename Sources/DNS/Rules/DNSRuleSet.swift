import Foundation
import FaultlineCore

/// The hijacks in force, in the order they were applied; the first that matches and claims a
/// query shapes it. Faults switch rules in and out from any thread while the server reads.
public final class DNSRuleSet: @unchecked Sendable {
    /// The UDP loop's real-time thread reads under it while the timeline's thread switches
    /// faults: priority-inheriting, so a switch never stalls the answers.
    private let lock = PriorityInheritingLock()
    private var rules: [DNSRule] = []

    public init() {}

    /// Puts a rule in force (after those already there); a rule of the same fault is replaced.
    public func install(_ rule: DNSRule) {
        lock.withLock {
            rules.removeAll { $0.fault == rule.fault }
            rules.append(rule)
        }
    }

    /// Takes the fault's rule out; nothing happens if it is not in force.
    public func remove(fault: String) {
        lock.withLock {
            rules.removeAll { $0.fault == fault }
        }
    }

    /// No hijack is in force: every query gets the zone's answer.
    public var isEmpty: Bool { lock.withLock { rules.isEmpty } }

    /// The faults in force, in order.
    public var faults: [String] { lock.withLock { rules.map(\.fault) } }

    /// The rule that shapes this query, if any (claiming it counts towards `first:`).
    public func decide(name: [UInt8], type: DNSType, host: String?, transport: DNSTransport) -> DNSRule? {
        lock.withLock {
            for rule in rules where rule.matches(name: name, type: type, host: host, transport: transport) {
                if rule.claim() { return rule }
            }
            return nil
        }
    }
}
