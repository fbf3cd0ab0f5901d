import Glibc

/// The zone's answers worked out once, as the wire bytes that follow the question, for each
/// name and the types resolvers ask most. The UDP loop answers a plain query from here by
/// copying the query's header and question and appending these bytes: no decoding into values,
/// no encoding, no allocation.
///
/// The bytes are what ``DNSResponder`` writes for the same query when the question's name is
/// in lowercase, as the zone keys it: compression pointers in them point into the question at
/// offset 12, so a question in other case (0x20) is answered by the general path, which echoes
/// it and compresses against it byte for byte.
final class DNSAnswerTable: Sendable {
    /// One precomputed answer and what the history keeps about it.
    struct Answer: Sendable {
        /// The question's name as lowercase wire bytes.
        let name: [UInt8]
        let type: UInt16
        /// The answer and additional sections, as written after a question of `name` at offset 12.
        let sections: [UInt8]
        let answerCount: UInt16
        let additionalCount: UInt16
        /// For the history: the name as scenarios write it, the type's mnemonic, the records.
        let key: String
        let typeText: String
        let summaries: [String]
    }

    /// The types answered from the table; other types take the general path.
    static let types: [DNSType] = [.a, .aaaa, .cname, .srv, .txt]

    let answers: [Answer]
    /// Open addressing over `answers` (index + 1; 0 = empty), sized to a power of two.
    private let slots: [Int32]
    private let mask: Int

    init(zone: DNSZone) {
        var answers: [Answer] = []
        for declared in zone.names {
            guard let name = DNSName(declared)?.lowercased else { continue }
            for type in Self.types {
                guard case .found(let records, let additionals) = zone.lookup(name, type) else { continue }
                let question = DNSQuestion(name: name, type: type)
                let message = DNSMessage(header: DNSHeader(), questions: [question], answers: records, additionals: additionals)
                guard let bytes = try? message.encode() else { continue }
                let start = DNSHeader.size + name.wire.count + 4
                answers.append(Answer(
                    name: name.wire, type: type.rawValue, sections: Array(bytes[start...]),
                    answerCount: UInt16(records.count), additionalCount: UInt16(additionals.count),
                    key: name.key, typeText: type.description, summaries: records.map(\.summary)))
            }
        }
        var size = 16
        while size < answers.count * 2 { size *= 2 }
        var slots = [Int32](repeating: 0, count: size)
        for (index, answer) in answers.enumerated() {
            var slot = answer.name.withUnsafeBytes { Self.hash($0, type: answer.type) } & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(index + 1)
        }
        self.answers = answers
        self.slots = slots
        self.mask = size - 1
    }

    /// The index in ``answers`` of `name` (wire bytes, matched exactly) and `type`, if precomputed.
    func find(_ name: UnsafeRawBufferPointer, type: UInt16) -> Int? {
        var slot = Self.hash(name, type: type) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            let answer = answers[entry - 1]
            if answer.type == type, answer.name.count == name.count,
               answer.name.withUnsafeBytes({ memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0 }) {
                return entry - 1
            }
            slot = (slot + 1) & mask
        }
    }

    /// FNV-1a over the name's bytes and the type.
    private static func hash(_ name: UnsafeRawBufferPointer, type: UInt16) -> Int {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        h = (h ^ UInt64(type)) &* 0x100_0000_01B3
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }
}
