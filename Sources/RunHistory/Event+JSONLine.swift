import Foundation

extension Event {
    /// Appends this event as one line of `history.jsonl` (with its newline): the bytes
    /// `JSONEncoder` writes with `.sortedKeys` and `.withoutEscapingSlashes`.
    ///
    /// `dns.query` events are written by hand: the DNS server records one per query, up to a
    /// hundred thousand a second, and `JSONEncoder` would need about a core to keep up. Other
    /// events go through `encoder`.
    func appendJSONLine(to out: inout [UInt8], encoder: JSONEncoder) throws {
        guard case .dnsQuery(let host, let name, let qtype, let transport, let outcome, let answers, let truncated, let latency, let fault)
        = kind else {
            out.append(contentsOf: try encoder.encode(self))
            out.append(0x0A)
            return
        }
        // Keys in sorted order, as `.sortedKeys` gives them.
        out.append(contentsOf: #"{"answers":["#.utf8)
        for (i, answer) in answers.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONLine.string(answer, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        if let fault { JSONLine.field(#","fault":"#, string: fault, to: &out) }
        JSONLine.field(#","host":"#, string: host, to: &out)
        JSONLine.field(#","latency":"#, number: latency.seconds, to: &out)
        JSONLine.field(#","name":"#, string: name, to: &out)
        JSONLine.field(#","qtype":"#, string: qtype, to: &out)
        JSONLine.field(#","rcode":"#, string: outcome.description, to: &out)
        JSONLine.field(#","t":"#, number: t.seconds, to: &out)
        JSONLine.field(#","transport":"#, string: transport, to: &out)
        out.append(contentsOf: truncated ? #","truncated":true"#.utf8 : #","truncated":false"#.utf8)
        out.append(contentsOf: #","type":"dns.query"}"#.utf8)
        out.append(0x0A)
    }
}

/// JSON scalars written as `JSONEncoder` writes them.
enum JSONLine {
    private static let hex = Array("0123456789abcdef".utf8)

    /// `key` (its quotes, colon and leading comma written out) and a string value.
    static func field(_ key: StaticString, string value: String, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        string(value, to: &out)
    }

    /// `key` and a number value.
    static func field(_ key: StaticString, number value: Double, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        number(value, to: &out)
    }

    /// A quoted string: `"` and `\` escaped, control characters as `\n`-style or `\u00XX`
    /// escapes, everything else (slashes, non-ASCII) as its UTF-8 bytes.
    static func string(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            // Most strings (names, rcodes, `A 198.18.0.2`) need no escape: copy them whole.
            if !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                out.append(contentsOf: bytes)
                return
            }
            for b in bytes {
                switch b {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case 0..<0x20:
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                default: out.append(b)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A finite number in Swift's shortest round-trip form, `.0` dropped for whole numbers.
    static func number(_ v: Double, to out: inout [UInt8]) {
        var text = v.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        out.append(contentsOf: text.utf8)
    }
}
