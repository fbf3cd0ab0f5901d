import Foundation
import RunHistory
import ScenarioFormat

/// Puts every query the server handles into the run's history and keeps the server's counters.
public final class DNSQueryRecorder: @unchecked Sendable {
    private let history: History?
    /// Source address (host byte order) → host name.
    private let hosts: [UInt32: String]
    private let lock = NSLock()
    private var counters = DNSServerCounters()

    public init(history: History?, hosts: [String: IPv4Address]) {
        self.history = history
        var byAddress: [UInt32: String] = [:]
        for (name, address) in hosts { byAddress[address.value] = name }
        self.hosts = byAddress
    }

    /// The scenario host at `address`, if any.
    public func host(at address: UInt32) -> String? { hosts[address] }

    /// Records one handled query; `source` names the asker when it is not a scenario host.
    public func record(_ outcome: DNSResponder.Outcome, host: String?, source: UInt32, transport: DNSTransport, latency: TimeSpan) {
        lock.withLock {
            counters.queries += 1
            if outcome.malformed { counters.malformed += 1 }
            if outcome.response == nil { counters.unanswered += 1 }
            if outcome.fault != nil { counters.shaped += 1 }
        }
        history?.record(.dnsQuery(
            host: host ?? IPv4Address(source).description, name: outcome.name, type: outcome.type,
            transport: transport.rawValue, rcode: outcome.rcode, answers: outcome.answers,
            truncated: outcome.truncated, latency: latency, fault: outcome.fault))
    }

    public var snapshot: DNSServerCounters { lock.withLock { counters } }
}

/// What the server has handled so far.
public struct DNSServerCounters: Sendable, Equatable {
    public var queries = 0
    /// Inputs that were not well-formed queries (answered FORMERR, or ignored without a header).
    public var malformed = 0
    /// Queries that got no answer (drops, ignored input).
    public var unanswered = 0
    /// Queries a hijack shaped.
    public var shaped = 0
}
