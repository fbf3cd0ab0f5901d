/// Writes DNS messages, compressing names against the ones already written (RFC 1035 §4.1.4).
///
/// Suffixes are matched byte for byte, so every name keeps its own case (clients that randomise
/// case check it); only offsets below 0x4000 can be pointed at, as the 14-bit pointer allows.
public struct DNSWriter {
    public private(set) var bytes: [UInt8] = []
    /// Wire form of a written name suffix → its offset.
    private var suffixes: [[UInt8]: UInt16] = [:]
    /// Turned off, names are written in full (for tests comparing both).
    public var compresses = true

    public init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(v >> 8))
        bytes.append(UInt8(v & 0xFF))
    }
    mutating func u32(_ v: UInt32) {
        u16(UInt16(v >> 16))
        u16(UInt16(v & 0xFFFF))
    }

    /// Overwrites a 16-bit value written earlier (a length or a count).
    mutating func patch16(at offset: Int, _ v: UInt16) {
        bytes[offset] = UInt8(v >> 8)
        bytes[offset + 1] = UInt8(v & 0xFF)
    }

    public mutating func header(_ h: DNSHeader) {
        u16(h.id); u16(h.flags)
        u16(h.questionCount); u16(h.answerCount); u16(h.authorityCount); u16(h.additionalCount)
    }

    public mutating func name(_ name: DNSName) {
        let wire = name.wire
        guard compresses else {
            bytes.append(contentsOf: wire)
            return
        }
        var i = 0
        while wire[i] != 0 {
            let suffix = Array(wire[i...])
            if let target = suffixes[suffix] {
                u16(0xC000 | target)
                return
            }
            if bytes.count < 0x4000 { suffixes[suffix] = UInt16(bytes.count) }
            let n = Int(wire[i])
            bytes.append(contentsOf: wire[i...(i + n)])
            i += 1 + n
        }
        u8(0)
    }

    public mutating func question(_ q: DNSQuestion) {
        name(q.name)
        u16(q.type.rawValue)
        u16(q.qclass)
    }

    public mutating func record(_ r: DNSRecord) {
        name(r.name)
        u16(r.type.rawValue)
        u16(r.rclass)
        u32(r.ttl)
        let lengthAt = bytes.count
        u16(0)
        switch r.data {
        case .a(let v): u32(v)
        case .aaaa(let b): bytes.append(contentsOf: b)
        case .cname(let n): name(n)
        case .srv(let p, let w, let port, let target):
            u16(p); u16(w); u16(port)
            // RFC 2782: the target is not compressed.
            bytes.append(contentsOf: target.wire)
        case .txt(let strings):
            for s in strings {
                let chunk = s.prefix(255)
                u8(UInt8(chunk.count))
                bytes.append(contentsOf: chunk)
            }
        case .other(_, let b): bytes.append(contentsOf: b)
        }
        patch16(at: lengthAt, UInt16(truncatingIfNeeded: bytes.count - lengthAt - 2))
    }

    public mutating func opt(_ e: DNSEDNS) {
        u8(0)
        u16(DNSType.opt.rawValue)
        u16(e.udpPayloadSize)
        u32(UInt32(e.extendedRcode) << 24 | UInt32(e.version) << 16 | (e.dnssecOK ? 0x8000 : 0))
        let lengthAt = bytes.count
        u16(0)
        for o in e.options {
            u16(o.code)
            u16(UInt16(truncatingIfNeeded: o.data.count))
            bytes.append(contentsOf: o.data)
        }
        patch16(at: lengthAt, UInt16(truncatingIfNeeded: bytes.count - lengthAt - 2))
    }
}

extension DNSMessage {
    /// The message's wire form; the header's counts are taken from the sections.
    public func encode(compress: Bool = true) throws -> [UInt8] {
        var w = DNSWriter()
        w.compresses = compress
        var h = header
        h.questionCount = UInt16(truncatingIfNeeded: questions.count)
        h.answerCount = UInt16(truncatingIfNeeded: answers.count)
        h.authorityCount = UInt16(truncatingIfNeeded: authorities.count)
        h.additionalCount = UInt16(truncatingIfNeeded: additionals.count + (edns == nil ? 0 : 1))
        w.header(h)
        for q in questions { w.question(q) }
        for r in answers { w.record(r) }
        for r in authorities { w.record(r) }
        for r in additionals { w.record(r) }
        if let edns { w.opt(edns) }
        guard w.count <= 65535 else { throw DNSWireError.messageTooLong }
        return w.bytes
    }
}
