/// Reads a DNS message from bytes, checking every length and pointer against the buffer.
///
/// Hostile input ends in a ``DNSWireError``, never a trap: each read checks its bounds, labels
/// over 63 bytes and reserved label types are rejected, names stop at 255 bytes, and every
/// compression pointer must point strictly before the labels that led to it, so a pointer loop
/// cannot form and decompression ends after at most 127 jumps.
public struct DNSReader {
    private let bytes: UnsafeRawBufferPointer
    /// The next byte to read.
    public private(set) var offset = 0

    public static let maxPointerJumps = 127

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }

    mutating func u8(_ what: String) throws -> UInt8 {
        guard offset < bytes.count else { throw DNSWireError.truncated(what: what, offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16(_ what: String) throws -> UInt16 {
        guard offset + 2 <= bytes.count else { throw DNSWireError.truncated(what: what, offset: offset) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32(_ what: String) throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw DNSWireError.truncated(what: what, offset: offset) }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func raw(_ count: Int, _ what: String) throws -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else {
            throw DNSWireError.truncated(what: what, offset: offset)
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    public mutating func header() throws -> DNSHeader {
        DNSHeader(
            id: try u16("header"), flags: try u16("header"), questionCount: try u16("header"),
            answerCount: try u16("header"), authorityCount: try u16("header"), additionalCount: try u16("header"))
    }

    /// A possibly compressed name (RFC 1035 §4.1.4), returned uncompressed with its case kept.
    public mutating func readName() throws -> DNSName {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        var pos = offset
        // Every pointer must land before the start of the labels read since the last jump.
        var segmentStart = offset
        var jumps = 0
        var resume: Int?
        while true {
            guard pos < bytes.count else { throw DNSWireError.truncated(what: "name", offset: pos) }
            let length = bytes[pos]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    out.append(0)
                    offset = resume ?? pos + 1
                    return DNSName(uncheckedWire: out)
                }
                let n = Int(length)
                guard pos + 1 + n <= bytes.count else { throw DNSWireError.truncated(what: "label", offset: pos) }
                // The label, its length byte and the root's zero must fit in 255 bytes.
                guard out.count + 1 + n + 1 <= DNSName.maxLength else { throw DNSWireError.nameTooLong(offset: pos) }
                out.append(length)
                out.append(contentsOf: bytes[(pos + 1)..<(pos + 1 + n)])
                pos += 1 + n
            case 0xC0:
                guard pos + 1 < bytes.count else { throw DNSWireError.truncated(what: "pointer", offset: pos) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[pos + 1])
                jumps += 1
                guard target < segmentStart, jumps <= Self.maxPointerJumps else {
                    throw DNSWireError.badPointer(target: target, offset: pos)
                }
                if resume == nil { resume = pos + 2 }
                pos = target
                segmentStart = target
            default:
                throw DNSWireError.badLabel(length: length, offset: pos)
            }
        }
    }

    public mutating func question() throws -> DNSQuestion {
        let name = try readName()
        return DNSQuestion(name: name, type: DNSType(rawValue: try u16("question type")), qclass: try u16("question class"))
    }

    /// One record of any section; OPT comes back as `.other(type: .opt, …)` for the caller to interpret.
    public mutating func record() throws -> DNSRecord {
        let name = try readName()
        let type = DNSType(rawValue: try u16("record type"))
        let rclass = try u16("record class")
        let ttl = try u32("record TTL")
        let length = Int(try u16("record data length"))
        let start = offset
        let end = start + length
        guard end <= bytes.count else { throw DNSWireError.truncated(what: "record data", offset: start) }
        let data: DNSRecordDataWire
        switch type {
        case .a:
            guard length == 4 else { throw DNSWireError.badRecordData(type: type.rawValue, offset: start) }
            data = .a(try u32("A"))
        case .aaaa:
            guard length == 16 else { throw DNSWireError.badRecordData(type: type.rawValue, offset: start) }
            data = .aaaa(try raw(16, "AAAA"))
        case .cname:
            data = .cname(try readName())
        case .srv:
            data = .srv(priority: try u16("SRV"), weight: try u16("SRV"), port: try u16("SRV"), target: try readName())
        case .txt:
            var strings: [[UInt8]] = []
            while offset < end {
                let n = Int(try u8("TXT"))
                strings.append(try raw(n, "TXT string"))
            }
            data = .txt(strings)
        default:
            data = .other(type: type, bytes: try raw(length, "record data"))
        }
        guard offset == end else { throw DNSWireError.badRecordData(type: type.rawValue, offset: start) }
        return DNSRecord(name: name, rclass: rclass, ttl: ttl, data: data)
    }
}

extension DNSMessage {
    /// Decodes a whole message; throws for anything malformed, including counts that do not
    /// match the records present, trailing bytes, and more than one OPT record.
    public static func decode(_ bytes: [UInt8]) throws -> DNSMessage {
        try bytes.withUnsafeBytes { try decode($0) }
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> DNSMessage {
        var r = DNSReader(bytes)
        let header = try r.header()
        var message = DNSMessage(header: header)
        for _ in 0..<header.questionCount { message.questions.append(try r.question()) }
        for _ in 0..<header.answerCount { message.answers.append(try r.record()) }
        for _ in 0..<header.authorityCount { message.authorities.append(try r.record()) }
        for _ in 0..<header.additionalCount {
            let record = try r.record()
            guard case .other(.opt, let data) = record.data else {
                message.additionals.append(record)
                continue
            }
            guard message.edns == nil, record.name == .root else {
                throw DNSWireError.countMismatch("a second OPT record, or OPT with a name")
            }
            message.edns = try DNSEDNS(class: record.rclass, ttl: record.ttl, data: data)
        }
        guard r.remaining == 0 else { throw DNSWireError.countMismatch("\(r.remaining) bytes after the last record") }
        return message
    }
}

extension DNSEDNS {
    /// OPT's fields: the class is the payload size, the TTL holds extended rcode, version and DO.
    init(class rclass: UInt16, ttl: UInt32, data: [UInt8]) throws {
        var options: [(code: UInt16, data: [UInt8])] = []
        try data.withUnsafeBytes { buffer in
            var r = DNSReader(buffer)
            while r.remaining > 0 {
                let code = try r.u16("EDNS option code")
                let length = Int(try r.u16("EDNS option length"))
                options.append((code, try r.raw(length, "EDNS option")))
            }
        }
        self.init(
            udpPayloadSize: rclass, extendedRcode: UInt8(ttl >> 24), version: UInt8(ttl >> 16 & 0xFF),
            dnssecOK: ttl & 0x8000 != 0, options: options)
    }
}
