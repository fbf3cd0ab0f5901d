import FaultlineCore
import Foundation

/// Which of the client's traffic an expectation looks at: from one host to another, optionally
/// narrowed to a port, a path (`*` matches any run of characters) and a method.
///
/// Faultline's own probes are never counted: they leave from a reserved port range.
public struct TrafficSelector: Codable, Sendable, Equatable {
    public var from: String
    /// nil: to any host.
    public var to: String?
    public var port: UInt16?
    public var path: String?
    public var method: String?

    public init(from: String, to: String? = nil, port: UInt16? = nil, path: String? = nil, method: String? = nil) {
        self.from = from
        self.to = to
        self.port = port
        self.path = path
        self.method = method
    }
}

/// Which outcomes of an attempt count as failures: HTTP status codes, classes (`5xx`),
/// `connection` (refused, reset, or never answered), `tls` (a failed handshake), gRPC status codes by name (`UNAVAILABLE`)
/// and `grpc-error` (a gRPC call with any status but OK).
public enum OutcomePattern: Codable, Sendable, Hashable, CustomStringConvertible {
    case status(Int)
    /// `5xx` is `statusClass(5)`.
    case statusClass(Int)
    case connection
    /// `tls`: a TLS handshake that failed (an alert, or the connection cut before it completed).
    case tls
    /// A gRPC call that ended with this status, whatever its HTTP status.
    case grpc(GRPCStatusCode)
    /// `grpc-error`: a gRPC call that ended with any status but OK.
    case grpcError

    /// The default notion of failure: 429, any 5xx, connection failures, failed TLS handshakes, and
    /// gRPC calls that did not end OK (even under HTTP 200).
    public static let defaultFailures: [OutcomePattern] = [.status(429), .statusClass(5), .connection, .tls, .grpcError]

    public init?(parsing text: String) {
        let s = text.lowercased()
        if s == "connection" {
            self = .connection
        } else if s == "tls" {
            self = .tls
        } else if s == "grpc-error" {
            self = .grpcError
        } else if let code = GRPCStatusCode(name: s) {
            self = .grpc(code)
        } else if s.count == 3, s.hasSuffix("xx"), let d = Int(s.prefix(1)), (1...5).contains(d) {
            self = .statusClass(d)
        } else if let code = Int(s), (100...599).contains(code) {
            self = .status(code)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .status(let c): "\(c)"
        case .statusClass(let d): "\(d)xx"
        case .connection: "connection"
        case .tls: "tls"
        case .grpc(let code): code.description
        case .grpcError: "grpc-error"
        }
    }
}

/// A bound on a count or a rate: `<= 3`, `== 0`, `< 5/s`.
public struct NumberRequirement: Codable, Sendable, Equatable, CustomStringConvertible {
    public var op: ComparisonOperator
    public var value: Double
    /// Written per second (`5/s`).
    public var perSecond: Bool

    public init(_ op: ComparisonOperator, _ value: Double, perSecond: Bool = false) {
        self.op = op
        self.value = value
        self.perSecond = perSecond
    }

    /// Parses `<= 3`, `3`, `< 5/s`, `>= 0.5/s`; a bare number means `==` for counts.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let explicit = ComparisonOperator.allCases.contains { trimmed.hasPrefix($0.rawValue) }
        var (op, rest) = ComparisonOperator.split(trimmed)
        var perSecond = false
        if rest.hasSuffix("/s") {
            perSecond = true
            rest = String(rest.dropLast(2)).trimmingCharacters(in: .whitespaces)
        }
        guard let v = Double(rest), v >= 0, v.isFinite else { return nil }
        if !explicit && !perSecond { op = .equal }
        self.init(op, v, perSecond: perSecond)
    }

    public func holds(_ measured: Double) -> Bool { op.holds(measured, value) }

    public var description: String {
        let v = value == value.rounded() ? String(Int(value)) : String(value)
        return "\(op.rawValue) \(v)\(perSecond ? "/s" : "")"
    }
}

/// A bound on a duration: `<= 200ms`.
public struct DurationRequirement: Codable, Sendable, Equatable, CustomStringConvertible {
    public var op: ComparisonOperator
    public var value: TimeSpan

    public init(_ op: ComparisonOperator, _ value: TimeSpan) {
        self.op = op
        self.value = value
    }

    /// A bare duration means `<=`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let explicit = ComparisonOperator.allCases.contains { trimmed.hasPrefix($0.rawValue) }
        let (op, rest) = ComparisonOperator.split(trimmed)
        guard let v = TimeSpan(parsing: rest) else { return nil }
        self.init(explicit ? op : .atMost, v)
    }

    public func holds(_ measured: TimeSpan) -> Bool { op.holds(Double(measured.nanoseconds), Double(value.nanoseconds)) }
    public var description: String { "\(op.rawValue) \(value)" }
}

/// How far a measured gap may stray from the expected one: a fraction of it, or a fixed time.
public enum Tolerance: Codable, Sendable, Equatable, CustomStringConvertible {
    case relative(Percentage)
    case absolute(TimeSpan)

    public static let `default` = Tolerance.relative(Percentage(percent: 20))

    public func bounds(around expected: TimeSpan) -> ClosedRange<TimeSpan> {
        let slack: TimeSpan = switch self {
        case .relative(let p): TimeSpan(nanoseconds: Int64((Double(expected.nanoseconds) * p.fraction).rounded()))
        case .absolute(let t): t
        }
        return max(.zero, expected - slack)...(expected + slack)
    }

    public var description: String {
        switch self {
        case .relative(let p): "± \(p)"
        case .absolute(let t): "± \(t)"
        }
    }
}

/// Exponential backoff: the n-th retry waits `min(initial × factor^(n-1), max)` scaled by
/// `1 + j` for some `j` in the jitter range (`0..100%` allows up to twice the base, and
/// `-100%..0%` is "full jitter", anywhere from 0 to the base).
public struct ExponentialBackoff: Codable, Sendable, Equatable, CustomStringConvertible {
    public var initial: TimeSpan
    public var factor: Double
    public var max: TimeSpan?
    /// The range of `j`, as fractions (may be negative).
    public var jitterLow: Double
    public var jitterHigh: Double

    public init(initial: TimeSpan, factor: Double = 2, max: TimeSpan? = nil, jitterLow: Double = 0, jitterHigh: Double = 0) {
        self.initial = initial
        self.factor = factor
        self.max = max
        self.jitterLow = jitterLow
        self.jitterHigh = jitterHigh
    }

    /// The wait before retry `n` (1-based) without jitter.
    public func base(retry n: Int) -> TimeSpan {
        let raw = Double(initial.nanoseconds) * pow(factor, Double(n - 1))
        let capped = max.map { Swift.min(raw, Double($0.nanoseconds)) } ?? raw
        return TimeSpan(nanoseconds: Int64(Swift.min(capped, 9e18)))
    }

    /// The range retry `n` may wait, jitter included.
    public func range(retry n: Int) -> ClosedRange<TimeSpan> {
        let b = Double(base(retry: n).nanoseconds)
        let lo = TimeSpan(nanoseconds: Int64((b * (1 + jitterLow)).rounded()))
        let hi = TimeSpan(nanoseconds: Int64((b * (1 + jitterHigh)).rounded()))
        return Swift.max(.zero, lo)...Swift.max(.zero, hi)
    }

    public var description: String {
        var s = "exponential from \(initial) × \(factor)"
        if let max { s += " up to \(max)" }
        if jitterLow != 0 || jitterHigh != 0 { s += ", jitter \(Int(jitterLow * 100))..\(Int(jitterHigh * 100))%" }
        return s
    }
}
