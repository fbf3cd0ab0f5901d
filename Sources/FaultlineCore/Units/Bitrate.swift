import Foundation

/// A bandwidth written as tc writes it: `2mbit`, `512kbit`, `1gbit`, `100kbps`; stored in bits per second.
///
/// As in tc, `bit` units count bits and `bps` units count **bytes** per second (`100kbps` = 800 kbit/s),
/// and the prefixes are decimal (`k` = 1000).
public struct Bitrate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var bitsPerSecond: UInt64

    public init(bitsPerSecond: UInt64) { self.bitsPerSecond = bitsPerSecond }

    /// Bytes per second, rounded down (what tbf and htb take).
    public var bytesPerSecond: UInt64 { bitsPerSecond / 8 }

    /// The units, longest suffix first so `kbps` is not read as `bps`.
    static let units: [(suffix: String, bits: Double)] = [
        ("tbit", 1e12), ("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3), ("bit", 1),
        ("tbps", 8e12), ("gbps", 8e9), ("mbps", 8e6), ("kbps", 8e3), ("bps", 8),
    ]

    /// The unit names, for messages.
    public static var unitNames: [String] { units.map(\.suffix).reversed() }

    /// Parses `"2mbit"`, `"1.5 gbit"`, `"100kbps"`; nil for no unit, a negative value or garbage.
    /// Zero parses (as 0); callers that need a positive rate check it.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = Self.units.first(where: { s.hasSuffix($0.suffix) }) else { return nil }
        let number = s.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)
        guard !number.hasPrefix("-"), !number.hasPrefix("+"), let v = Double(number), v.isFinite else { return nil }
        let bits = v * unit.bits
        guard bits < 1.8e19 else { return nil }
        self.bitsPerSecond = UInt64(bits.rounded())
    }

    public static func < (a: Bitrate, b: Bitrate) -> Bool { a.bitsPerSecond < b.bitsPerSecond }

    /// The shortest exact rendering in bit units: `2mbit`, `512kbit`, `1500bit`.
    public var description: String {
        for (suffix, bits) in [("gbit", UInt64(1_000_000_000)), ("mbit", 1_000_000), ("kbit", 1_000)]
        where bitsPerSecond >= bits && bitsPerSecond % bits == 0 {
            return "\(bitsPerSecond / bits)\(suffix)"
        }
        return "\(bitsPerSecond)bit"
    }

    public init(from decoder: Decoder) throws {
        self.bitsPerSecond = try decoder.singleValueContainer().decode(UInt64.self)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bitsPerSecond)
    }
}
