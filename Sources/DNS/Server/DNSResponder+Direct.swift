/// The direct path: a plain query for a name and type the zone has precomputed is answered by
/// copying its header fields and question and appending the table's bytes, reading the query
/// in place. It gives the same bytes as ``DNSResponder/respond(to:host:transport:)``; anything
/// else (other case, other opcodes, extra records, EDNS versions, a reply that would not fit)
/// returns nil and takes that general path, so every rule stays in one place.
extension DNSResponder {
    /// The OPT record of every EDNS reply: root name, type 41, payload 1232, no extended rcode,
    /// version 0, no flags, no options.
    static let replyOPT: [UInt8] = [0, 0, 41, UInt8(serverUDPPayload >> 8), UInt8(serverUDPPayload & 0xFF), 0, 0, 0, 0, 0, 0]

    /// Writes the UDP reply to `query` into `output` when it can be answered directly; returns
    /// the index of the table's answer (see ``directOutcome(_:)``) and the reply's length.
    ///
    /// The caller checks that no hijack is in force: the direct path does not consult the rules.
    func answerDirect(_ query: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> (answer: Int, length: Int)? {
        let count = query.count
        // Header, the root name and type/class at least.
        guard count >= DNSHeader.size + 5 else { return nil }
        func u16(_ at: Int) -> Int { Int(query[at]) << 8 | Int(query[at + 1]) }
        let flags = u16(2)
        // A query (QR = 0) with opcode QUERY, one question, no answers or authorities, at most OPT.
        guard flags & 0xF800 == 0, u16(4) == 1, u16(6) == 0, u16(8) == 0, u16(10) <= 1 else { return nil }
        var pos = DNSHeader.size
        while true {
            guard pos < count else { return nil }
            let length = Int(query[pos])
            if length == 0 { break }
            // Uncompressed labels only; a pointer or a reserved label type goes the general way.
            guard length <= DNSName.maxLabel, pos + 1 + length < count else { return nil }
            pos += 1 + length
        }
        let nameEnd = pos + 1
        guard nameEnd - DNSHeader.size <= DNSName.maxLength, nameEnd + 4 <= count else { return nil }
        let type = u16(nameEnd)
        guard u16(nameEnd + 2) == Int(DNSRecord.classIN) else { return nil }
        let questionEnd = nameEnd + 4
        var limit = Self.classicUDPLimit
        let edns = u16(10) == 1
        if edns {
            let opt = questionEnd
            // Root name, type OPT, version 0, and options that fill the record exactly.
            guard opt + 11 <= count, query[opt] == 0, u16(opt + 1) == Int(DNSType.opt.rawValue), query[opt + 6] == 0,
                  opt + 11 + u16(opt + 9) == count else { return nil }
            var option = opt + 11
            while option < count {
                guard option + 4 <= count else { return nil }
                option += 4 + u16(option + 2)
            }
            guard option == count else { return nil }
            limit = max(Self.classicUDPLimit, min(u16(opt + 3), Int(Self.serverUDPPayload)))
        } else {
            guard questionEnd == count else { return nil }
        }
        guard let index = table.find(UnsafeRawBufferPointer(rebasing: query[DNSHeader.size..<nameEnd]), type: UInt16(type)) else {
            return nil
        }
        let answer = table.answers[index]
        let length = questionEnd + answer.sections.count + (edns ? Self.replyOPT.count : 0)
        guard length <= limit, length <= output.count else { return nil }
        // ID echoed; QR, AA and RA set; RD and CD copied; NOERROR.
        let replyFlags = 0x8000 | 0x0400 | 0x0080 | flags & 0x0110
        let additional = Int(answer.additionalCount) + (edns ? 1 : 0)
        let header: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            query[0], query[1], UInt8(replyFlags >> 8), UInt8(replyFlags & 0xFF), 0, 1,
            UInt8(answer.answerCount >> 8), UInt8(answer.answerCount & 0xFF), 0, 0,
            UInt8(additional >> 8), UInt8(additional & 0xFF))
        withUnsafeBytes(of: header) { output.copyMemory(from: $0) }
        UnsafeMutableRawBufferPointer(rebasing: output[DNSHeader.size..<questionEnd])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: query[DNSHeader.size..<questionEnd]))
        answer.sections.withUnsafeBytes {
            UnsafeMutableRawBufferPointer(rebasing: output[questionEnd...]).copyMemory(from: $0)
        }
        if edns {
            Self.replyOPT.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: output[(questionEnd + answer.sections.count)...]).copyMemory(from: $0)
            }
        }
        return (index, length)
    }

    /// What the history keeps about a direct answer (its reply is already written).
    func directOutcome(_ answer: Int) -> Outcome {
        let a = table.answers[answer]
        return Outcome(
            response: nil, delay: nil, name: a.key, type: a.typeText, result: .answered(.noError), answers: a.summaries,
            truncated: false, fault: nil, malformed: false)
    }
}
