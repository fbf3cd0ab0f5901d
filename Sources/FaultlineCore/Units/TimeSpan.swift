import Foundation

/// A length of time parsed from the scenario's unit syntax (`250ms`, `5s`, `1m30s`, `2h`, `1.5s`, `800us`).
///
/// Stored as whole nanoseconds so arithmetic is exact; encoded in reports as a number of seconds.
public struct TimeSpan: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static func seconds(_ s: Double) -> TimeSpan { TimeSpan(nanoseconds: Int64((s * 1e9).rounded())) }
    public static func milliseconds(_ ms: Double) -> TimeSpan { TimeSpan(nanoseconds: Int64((ms * 1e6).rounded())) }
    public static let zero = TimeSpan(nanoseconds: 0)

    public var seconds: Double { Double(nanoseconds) / 1e9 }
    public var milliseconds: Double { Double(nanoseconds) / 1e6 }
    public var duration: Duration { .nanoseconds(nanoseconds) }

    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.nanoseconds < b.nanoseconds }
    public static func + (a: TimeSpan, b: TimeSpan) -> TimeSpan { TimeSpan(nanoseconds: a.nanoseconds + b.nanoseconds) }
    public static func - (a: TimeSpan, b: TimeSpan) -> TimeSpan { TimeSpan(nanoseconds: a.nanoseconds - b.nanoseconds) }

    private static let units: [(suffix: String, ns: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// Parses `"1m30s"`, `"250ms"`, `"0"`; returns nil for anything else (no unit, negative, garbage).
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s == "0" { self = .zero; return }
        var total = 0.0
        var rest = Substring(s)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = Self.units.first(where: { $0.suffix == String(unitText) }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.ns
        }
        guard total.isFinite, total < 9e18 else { return nil }
        self.nanoseconds = Int64(total.rounded())
    }

    /// The shortest exact rendering in the scenario's own syntax: `5s`, `250ms`, `1.5s`.
    public var description: String {
        let ns = nanoseconds
        if ns == 0 { return "0s" }
        if ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000)s" }
        if ns % 1_000_000 == 0 {
            let ms = ns / 1_000_000
            return ms >= 1000 ? "\(Self.trim(Double(ns) / 1e9))s" : "\(ms)ms"
        }
        if ns % 1_000 == 0 { return "\(ns / 1_000)us" }
        return "\(ns)ns"
    }

    private static func trim(_ v: Double) -> String {
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}

extension TimeSpan: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let seconds = try? c.decode(Double.self) {
            self = .seconds(seconds)
        } else {
            let text = try c.decode(String.self)
            guard let v = TimeSpan(parsing: text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a duration: \(text)")
            }
            self = v
        }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(seconds)
    }
}
