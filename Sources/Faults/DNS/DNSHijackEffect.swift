import DNS
import FaultlineCore
import ScenarioFormat

/// A DNS hijack played on the scenario's DNS server: applying it puts its rule in force in the
/// server's rule set, healing takes it out. No packet path changes; the server answers otherwise.
public final class DNSHijackEffect: FaultEffect, Sendable {
    public let fault: String
    public let rule: DNSRule
    private let rules: DNSRuleSet

    /// - Parameters:
    ///   - seed: the scenario's seed; the rule's `probability:` draws come from it.
    ///   - hosts: host name → address, for answers naming a host.
    public init(fault: String, hijack: DNSHijack, rules: DNSRuleSet, seed: UInt64, hosts: [String: IPv4Address]) throws {
        self.fault = fault
        self.rule = try DNSRule(fault: fault, hijack: hijack, seed: seed, hosts: hosts)
        self.rules = rules
    }

    public var engine: EffectEngine { .dnsServer }

    /// The rule in one line: `consul.service.consul A from [client]: answer 198.18.9.9, first 3`.
    public var detail: String {
        let h = rule.hijack
        var s = "\(h.name) \(h.type?.rawValue ?? "any")"
        if let hosts = h.hosts { s += " from [\(hosts.joined(separator: ", "))]" }
        s += ": " + h.action.keyword
        switch h.action {
        case .answer(let values): s += " " + values.map(\.description).joined(separator: ", ")
        case .delay(let d): s += " \(d)"
        case .rcode, .drop, .truncate, .shapeTTL: break
        }
        if let ttl = h.ttl { s += ", ttl \(ttl)" }
        if let first = h.first { s += ", first \(first)" }
        if let p = h.probability { s += ", probability \(p)" }
        return s
    }

    public func apply() throws { rules.install(rule) }

    public func heal() throws { rules.remove(fault: fault) }
}
