import Foundation
import FaultlineCore
import RunHistory
import ScenarioFormat

/// Puts every query the server handles into the run's history and keeps the server's counters.
public final class DNSQueryRecorder: Sendable {
    private let history: History?
    /// Source address (host byte order) → host name.
    private let hosts: [UInt32: String]
    /// Taken by the UDP loop's real-time thread and by readers of ``snapshot``.
    private let counters = PriorityInheritingMutex(DNSServerCounters())

    public init(history: History?, hosts: [String: IPv4Address]) {
        self.history = history
        var byAddress: [UInt32: String] = [:]
        for (name, address) in hosts { byAddress[address.value] = name }
        self.hosts = byAddress
    }

    /// The scenario host at `address`, if any.
    public func host(at address: UInt32) -> String? { hosts[address] }

    /// How the history names the asker at `address`: its host name, or the address.
    func asker(at address: UInt32) -> String { hosts[address] ?? IPv4Address(address).description }

    /// Records one handled query; `source` names the asker when it is not a scenario host.
    public func record(_ outcome: DNSResponder.Outcome, host: String?, source: UInt32, transport: DNSTransport, latency: TimeSpan) {
        counters.withLock { counters in
            counters.queries += 1
            if outcome.malformed { counters.malformed += 1 }
            if outcome.response == nil { counters.unanswered += 1 }
            if outcome.fault != nil { counters.shaped += 1 }
        }
        history?.record(.dnsQuery(
            host: host ?? IPv4Address(source).description, name: outcome.name, type: outcome.type,
            transport: transport.rawValue, outcome: outcome.result, answers: outcome.answers,
            truncated: outcome.truncated, latency: latency, fault: outcome.fault))
    }

    /// One query the UDP loop handled, waiting to be recorded with the rest of its burst.
    struct Handled {
        var outcome: DNSResponder.Outcome
        /// The asking host's name, or its address when it is not a scenario host.
        var asker: String
        /// A reply went out (the direct path's outcome carries no response bytes).
        var answered: Bool
        /// Monotonic nanoseconds at receipt.
        var start: UInt64
    }

    /// Records a burst of queries whose replies were written at `end` (monotonic nanoseconds):
    /// the counters and the history are each updated once for the whole burst.
    func record(_ burst: [Handled], transport: DNSTransport, end: UInt64, events: inout [Event]) {
        guard !burst.isEmpty else { return }
        counters.withLock { counters in
            counters.queries += burst.count
            for query in burst {
                if query.outcome.malformed { counters.malformed += 1 }
                if !query.answered { counters.unanswered += 1 }
                if query.outcome.fault != nil { counters.shaped += 1 }
            }
        }
        guard let history else { return }
        events.removeAll(keepingCapacity: true)
        for query in burst {
            let o = query.outcome
            events.append(Event(t: .zero, .dnsQuery(
                host: query.asker, name: o.name, type: o.type,
                transport: transport.rawValue, outcome: o.result, answers: o.answers, truncated: o.truncated,
                latency: TimeSpan(nanoseconds: Int64(end &- query.start)), fault: o.fault)))
        }
        history.record(stampingNow: &events)
        events.removeAll(keepingCapacity: true)
    }

    public var snapshot: DNSServerCounters { counters.withLock { $0 } }
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
