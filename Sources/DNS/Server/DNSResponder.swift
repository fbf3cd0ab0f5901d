import FaultlineCore
import RunHistory
import ScenarioFormat

/// Turns one query's bytes into the response the server sends (or not), and what the history
/// keeps about it. Pure apart from the rule set's counters: no sockets, so it is tested and
/// fuzzed directly.
public struct DNSResponder: Sendable {
    public let zone: DNSZone
    public let rules: DNSRuleSet
    /// The zone's answers precomputed for the UDP loop's direct path.
    let table: DNSAnswerTable

    /// The UDP payload size the server advertises in OPT and honours at most (the 2020 DNS
    /// flag day's value, which avoids IP fragmentation).
    public static let serverUDPPayload: UInt16 = 1232
    /// Answers over UDP without EDNS stay within 512 bytes (RFC 1035 §4.2.1).
    public static let classicUDPLimit = 512

    public init(zone: DNSZone, rules: DNSRuleSet = DNSRuleSet()) {
        self.zone = zone
        self.rules = rules
        self.table = DNSAnswerTable(zone: zone)
    }

    /// What to do with one query.
    public struct Outcome: Sendable {
        /// The response's bytes, or nil to send nothing (a drop, or input not worth answering).
        public var response: [UInt8]?
        /// Send the response this much later.
        public var delay: TimeSpan?
        public var name: String
        public var type: String
        public var result: DNSQueryOutcome
        public var answers: [String]
        public var truncated: Bool
        /// The fault that shaped the answer, if any.
        public var fault: String?
        /// The input was not a well-formed query (answered FORMERR or ignored).
        public var malformed: Bool
    }

    public func respond(to bytes: UnsafeRawBufferPointer, host: String?, transport: DNSTransport) -> Outcome {
        var outcome = Outcome(
            response: nil, delay: nil, name: "", type: "", result: .ignored, answers: [], truncated: false,
            fault: nil, malformed: false)
        // Without a whole header there is no ID to answer to; a response is never answered.
        guard bytes.count >= DNSHeader.size else {
            outcome.malformed = true
            return outcome
        }
        var headerReader = DNSReader(bytes)
        guard let header = try? headerReader.header(), !header.isResponse else {
            outcome.malformed = true
            return outcome
        }
        guard let query = try? DNSMessage.decode(bytes) else {
            outcome.malformed = true
            return finish(&outcome, error: .formErr, header: header, question: nil, edns: nil)
        }
        let question = query.questions.first
        if let q = question {
            outcome.name = q.name.key
            outcome.type = q.type.description
        }
        if header.opcode != 0 {
            return finish(&outcome, error: .notImp, header: header, question: question, edns: query.edns)
        }
        guard query.questions.count == 1, let q = question else {
            outcome.malformed = true
            return finish(&outcome, error: .formErr, header: header, question: question, edns: query.edns)
        }
        if let edns = query.edns, edns.version != 0 {
            return finish(&outcome, error: .badVers, header: header, question: q, edns: edns)
        }
        if q.qclass != DNSRecord.classIN {
            return finish(&outcome, error: .refused, header: header, question: q, edns: query.edns)
        }
        // Zone transfers and ANY are not served (RFC 8482 lets servers refuse ANY).
        if [.any, .axfr, .ixfr].contains(q.type) {
            return finish(&outcome, error: .notImp, header: header, question: q, edns: query.edns)
        }

        let lowered = q.name.lowercasedWire
        let rule = rules.decide(name: lowered, type: q.type, host: host, transport: transport)
        outcome.fault = rule?.fault
        var ttlOverride: UInt32?
        if let rule {
            ttlOverride = rule.hijack.ttl.map { UInt32(clamping: max(0, $0.nanoseconds / 1_000_000_000)) }
            switch rule.hijack.action {
            case .drop:
                outcome.result = .dropped
                return outcome
            case .rcode(let code):
                let rcode: DNSResponseCode = switch code {
                case .nxdomain: .nxDomain
                case .servfail: .servFail
                case .refused: .refused
                }
                return finish(&outcome, error: rcode, header: header, question: q, edns: query.edns, authoritative: true)
            case .truncate:
                return finish(&outcome, error: .noError, header: header, question: q, edns: query.edns,
                              authoritative: true, truncated: true)
            case .answer:
                let forged = rule.forged.filter { $0.type == q.type }
                    .map { DNSRecord(name: q.name, ttl: ttlOverride ?? 30, data: $0) }
                return answer(&outcome, header: header, query: query, q, .noError, forged, [], transport)
            case .delay(let d):
                outcome.delay = d
            case .shapeTTL:
                break
            }
        }

        switch zone.lookup(q.name, q.type) {
        case .unknownName:
            let rcode: DNSResponseCode = zone.unknown == .refused ? .refused : .nxDomain
            return answer(&outcome, header: header, query: query, q, rcode, [], [], transport)
        case .found(var answers, var additionals):
            if let ttl = ttlOverride {
                for i in answers.indices { answers[i].ttl = ttl }
                for i in additionals.indices { additionals[i].ttl = ttl }
            }
            return answer(&outcome, header: header, query: query, q, .noError, answers, additionals, transport)
        }
    }

    /// A full answer, truncated (TC, sections emptied) when it does not fit the transport's limit.
    private func answer(
        _ outcome: inout Outcome, header: DNSHeader, query: DNSMessage, _ q: DNSQuestion, _ rcode: DNSResponseCode,
        _ answers: [DNSRecord], _ additionals: [DNSRecord], _ transport: DNSTransport
    ) -> Outcome {
        var message = responseMessage(header: header, question: q, edns: query.edns, rcode: rcode, authoritative: rcode != .refused)
        message.answers = answers
        message.additionals = additionals
        let limit: Int = switch transport {
        case .tcp: 65535
        case .udp: query.edns.map { Int(max(512, min($0.udpPayloadSize, Self.serverUDPPayload))) } ?? Self.classicUDPLimit
        }
        var bytes = (try? message.encode()) ?? []
        if bytes.isEmpty || bytes.count > limit {
            message.answers = []
            message.additionals = []
            message.header.truncated = true
            bytes = (try? message.encode()) ?? []
            outcome.truncated = true
        }
        outcome.response = bytes
        outcome.result = .answered(rcode)
        outcome.answers = message.answers.map(\.summary)
        return outcome
    }

    /// An answer without records: an error code, or an empty NOERROR with TC set.
    private func finish(
        _ outcome: inout Outcome, error rcode: DNSResponseCode, header: DNSHeader, question: DNSQuestion?,
        edns: DNSEDNS?, authoritative: Bool = false, truncated: Bool = false
    ) -> Outcome {
        var message = responseMessage(header: header, question: question, edns: edns, rcode: rcode, authoritative: authoritative)
        message.header.truncated = truncated
        outcome.response = try? message.encode()
        outcome.result = .answered(rcode)
        outcome.truncated = truncated
        return outcome
    }

    private func responseMessage(
        header: DNSHeader, question: DNSQuestion?, edns: DNSEDNS?, rcode: DNSResponseCode, authoritative: Bool
    ) -> DNSMessage {
        var h = DNSHeader(id: header.id)
        h.isResponse = true
        h.opcode = header.opcode
        h.recursionDesired = header.recursionDesired
        h.checkingDisabled = header.checkingDisabled
        // The server is every host's resolver: stub resolvers treat RA = 0 as a lame server.
        h.recursionAvailable = true
        h.authoritative = authoritative
        h.rcode = UInt8(rcode.rawValue & 0xF)
        var message = DNSMessage(header: h, questions: question.map { [$0] } ?? [])
        if edns != nil || rcode.rawValue > 15 {
            message.edns = DNSEDNS(udpPayloadSize: Self.serverUDPPayload, extendedRcode: UInt8(rcode.rawValue >> 4))
        }
        return message
    }
}
