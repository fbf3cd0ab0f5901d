import Foundation

/// A ratio written as `99%` or `0.5%` in the scenario; stored as a fraction in 0...1.
public struct Percentage: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var fraction: Double

    public init(fraction: Double) { self.fraction = fraction }
    public init(percent: Double) { self.fraction = percent / 100 }

    /// Parses `"99%"`, `"0.5 %"`; nil for a missing `%`, a negative value or more than 100 %.
    public init?(parsing text: String) {
        var s = text.trimmingCharacters(in: .whitespaces)
        guard s.hasSuffix("%") else { return nil }
        s.removeLast()
        guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v >= 0, v <= 100 else { return nil }
        self.fraction = v / 100
    }

    public var percent: Double { fraction * 100 }
    public static func < (a: Percentage, b: Percentage) -> Bool { a.fraction < b.fraction }

    public var description: String {
        var s = String(format: "%.4f", percent)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s + "%"
    }

    public init(from decoder: Decoder) throws {
        self.fraction = try decoder.singleValueContainer().decode(Double.self)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(fraction)
    }
}
