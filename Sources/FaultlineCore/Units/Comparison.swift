import Foundation

/// How a measured value is compared with the scenario's bound: `>= 99%`, `< 5`, `== 0`.
public enum ComparisonOperator: String, Codable, Sendable, CaseIterable {
    case atLeast = ">="
    case atMost = "<="
    case greater = ">"
    case less = "<"
    case equal = "=="
    case notEqual = "!="

    public func holds(_ measured: Double, _ bound: Double) -> Bool {
        switch self {
        case .atLeast: measured >= bound
        case .atMost: measured <= bound
        case .greater: measured > bound
        case .less: measured < bound
        case .equal: measured == bound
        case .notEqual: measured != bound
        }
    }

    /// Splits `">= 99%"` into the operator and the rest; a bare value means `>=`.
    public static func split(_ text: String) -> (ComparisonOperator, String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        // Two-character operators first so ">=" is not read as ">".
        for op in [atLeast, atMost, equal, notEqual, greater, less] where s.hasPrefix(op.rawValue) {
            return (op, String(s.dropFirst(op.rawValue.count)).trimmingCharacters(in: .whitespaces))
        }
        return (.atLeast, s)
    }
}

/// A bound on a ratio, e.g. a probe's success: `>= 99%`.
public struct RatioRequirement: Hashable, Sendable, Codable, CustomStringConvertible {
    public var op: ComparisonOperator
    public var value: Percentage

    public init(_ op: ComparisonOperator, _ value: Percentage) {
        self.op = op
        self.value = value
    }

    public init?(parsing text: String) {
        let (op, rest) = ComparisonOperator.split(text)
        guard let v = Percentage(parsing: rest) else { return nil }
        self.init(op, v)
    }

    public func holds(_ measured: Double) -> Bool { op.holds(measured, value.fraction) }
    public var description: String { "\(op.rawValue) \(value)" }
}
