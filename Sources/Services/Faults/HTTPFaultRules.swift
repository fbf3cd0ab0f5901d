import Foundation
import ScenarioFormat
import Synchronization

/// The faults a stand-in applies now, in the order they were installed.
///
/// Each rule counts the requests it matched since it was installed, so "the first 2" and
/// sequences are exact and the same requests in the same order always get the same answers.
public final class HTTPFaultRules: Sendable {
    private let active = Mutex<[(rule: HTTPFaultRule, pattern: PathPattern, matched: Int)]>([])

    public init() {}

    /// Starts applying `rule`, counting from zero (installing a rule of the same name replaces it).
    public func install(_ rule: HTTPFaultRule) {
        active.withLock { active in
            active.removeAll { $0.rule.name == rule.name }
            active.append((rule, PathPattern(rule.match.path), 0))
        }
    }

    /// Stops applying the rule named `name`; removing a rule that is not there does nothing.
    public func remove(named name: String) {
        active.withLock { active in active.removeAll { $0.rule.name == name } }
    }

    /// The names of the rules in force.
    public var names: [String] { active.withLock { active in active.map(\.rule.name) } }

    /// The decision for a request: the first rule that matches it and still shapes it wins.
    /// Every matching rule counts the request, whether or not it shapes it.
    public func decide(method: String, path: String) -> FaultDecision? {
        active.withLock { active in
            var decision: FaultDecision?
            for i in active.indices {
                let entry = active[i]
                let methodMatches = entry.rule.match.method == nil || entry.rule.match.method == method
                guard methodMatches, entry.pattern.matches(path) else { continue }
                active[i].matched += 1
                if decision == nil { decision = entry.rule.decision(forMatch: entry.matched) }
            }
            return decision
        }
    }
}
