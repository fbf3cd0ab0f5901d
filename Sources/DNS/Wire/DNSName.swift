/// A domain name as its uncompressed wire form: length-prefixed labels ending with the root's 0.
///
/// Case is preserved (clients randomise it, RFC draft "0x20", and expect it echoed); comparisons
/// that must ignore case use ``lowercasedWire``.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    /// Length-prefixed labels and the final zero byte; at most 255 bytes.
    public private(set) var wire: [UInt8]

    public static let root = DNSName(uncheckedWire: [0])
    public static let maxLength = 255
    public static let maxLabel = 63

    init(uncheckedWire: [UInt8]) { self.wire = uncheckedWire }

    /// Parses dotted text (`api.service.consul`, trailing dot optional); nil for an empty label,
    /// a label over 63 bytes or a name over 255 bytes.
    public init?(_ text: String) {
        var wire: [UInt8] = []
        let trimmed = text.hasSuffix(".") ? String(text.dropLast()) : text
        if !trimmed.isEmpty {
            for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
                let bytes = Array(label.utf8)
                guard !bytes.isEmpty, bytes.count <= Self.maxLabel else { return nil }
                wire.append(UInt8(bytes.count))
                wire.append(contentsOf: bytes)
            }
        }
        wire.append(0)
        guard wire.count <= Self.maxLength else { return nil }
        self.wire = wire
    }

    /// The labels, without length bytes.
    public var labels: [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var i = 0
        while i < wire.count, wire[i] != 0 {
            let n = Int(wire[i])
            result.append(wire[(i + 1)..<(i + 1 + n)])
            i += 1 + n
        }
        return result
    }

    /// The wire form with ASCII letters lowercased: the key for case-insensitive lookups.
    public var lowercasedWire: [UInt8] {
        wire.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// The same name with ASCII letters lowercased.
    public var lowercased: DNSName { DNSName(uncheckedWire: lowercasedWire) }

    /// Dotted text with a trailing dot; bytes outside printable ASCII, dots and backslashes in
    /// labels are escaped as `\DDD` / `\.` (RFC 1035 §5.1), so a hostile name prints safely.
    public var description: String {
        if wire.count == 1 { return "." }
        var s = ""
        for label in labels {
            for b in label {
                switch b {
                case UInt8(ascii: "."), UInt8(ascii: "\\"): s += "\\" + String(UnicodeScalar(b))
                case 0x21...0x7E: s.unicodeScalars.append(UnicodeScalar(b))
                default:
                    let d = String(b)
                    s += "\\" + String(repeating: "0", count: 3 - d.count) + d
                }
            }
            s += "."
        }
        return s
    }

    /// Lowercased dotted text without the trailing dot, as scenario files write names.
    public var key: String {
        var d = lowercased.description
        if d.count > 1 { d.removeLast() }
        return d
    }
}
