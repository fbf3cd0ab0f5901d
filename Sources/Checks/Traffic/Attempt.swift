import FaultlineCore
import Foundation
import RunHistory
import ScenarioFormat

/// One try by the client to reach a server: an HTTP request (an HTTP/2 stream, a gRPC call) with
/// its answer, or a TCP connection attempt that never got as far as a request (refused, reset,
/// never answered) or that carried no HTTP at all.
public struct Attempt: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// An HTTP answer.
        case status(Int)
        /// The connection failed: `refused`, `unreachable`, `reset`, `unanswered`, `no response`.
        case connectionFailure(String)
        /// The TLS handshake failed: an alert (`bad_certificate (42) from the client`, `encrypted`
        /// from the client), or the connection reset or closed before it completed.
        case tlsFailure(String)
        /// A connection carrying no payload at all was established (a plain TCP connect).
        case connected
        /// A connection whose traffic the observer cannot read (TLS, HTTP/2, an HTTP/1.1 upgrade,
        /// another protocol): neither a success nor a failure; checks over it are unknown.
        case undecoded(String)

        public var description: String {
            switch self {
            case .status(let s): "HTTP \(s)"
            case .connectionFailure(let why): why
            case .tlsFailure(let why): "TLS handshake failed: \(why)"
            case .connected: "connected"
            case .undecoded(let why): "undecoded (\(why))"
            }
        }
    }

    /// When the attempt started (request's first byte, or the first SYN).
    public var t: TimeSpan
    /// When its outcome was known (the answer, the RST); nil if never.
    public var end: TimeSpan?
    public var from: String
    public var to: String
    public var port: UInt16
    public var method: String?
    public var path: String?
    public var outcome: Outcome
    /// `Retry-After` as answered.
    public var retryAfter: String?
    /// For a gRPC call that was answered: its status as the client sees it (`grpc-status`, or
    /// the code gRPC maps the HTTP status to when there is none); nil for plain HTTP.
    public var grpcStatus: GRPCStatusCode?
    /// `grpc-retry-pushback-ms` as answered.
    public var retryPushback: String?
    /// From the request to the answer, for HTTP.
    public var latency: TimeSpan?
    /// The index in the history of the event that started it.
    public var index: Int

    /// Whether the outcome is one of `patterns`.
    public func fails(_ patterns: [OutcomePattern]) -> Bool {
        patterns.contains { p in
            switch (p, outcome) {
            case (.status(let c), .status(let s)): c == s
            case (.statusClass(let d), .status(let s)): s / 100 == d
            case (.connection, .connectionFailure): true
            case (.tls, .tlsFailure): true
            case (.grpc(let code), _): grpcStatus == code
            case (.grpcError, _): grpcStatus.map { $0 != .ok } ?? false
            case (.status, .connectionFailure), (.status, .connected), (.status, .undecoded), (.status, .tlsFailure),
                (.statusClass, .connectionFailure), (.statusClass, .connected), (.statusClass, .undecoded),
                (.statusClass, .tlsFailure), (.connection, .status), (.connection, .connected), (.connection, .undecoded),
                (.connection, .tlsFailure), (.tls, .status), (.tls, .connectionFailure), (.tls, .connected),
                (.tls, .undecoded): false
            }
        }
    }

    /// Why the outcome cannot be judged, for an attempt the observer could not read.
    public var undecodedReason: String? {
        if case .undecoded(let why) = outcome { return why }
        return nil
    }

    /// When the client learned the outcome, or when it started if it never did.
    public var settled: TimeSpan { end ?? t }

    /// The wait the server asked for: `Retry-After` in seconds (the delay form; an HTTP date
    /// cannot be placed on the run's clock), or gRPC's `grpc-retry-pushback-ms`.
    public var retryAfterDelay: TimeSpan? {
        if let p = retryPushback?.trimmingCharacters(in: .whitespaces), let ms = Int(p), ms >= 0 { return .milliseconds(Double(ms)) }
        guard let r = retryAfter?.trimmingCharacters(in: .whitespaces), let s = Double(r), s >= 0 else { return nil }
        return .seconds(s)
    }

    /// A negative or malformed `grpc-retry-pushback-ms`: the server said not to retry at all.
    public var retryRefused: Bool {
        guard let p = retryPushback?.trimmingCharacters(in: .whitespaces) else { return false }
        return Int(p).map { $0 < 0 } ?? true
    }

    /// How the server asked for the wait, for messages: `Retry-After: 2`, `grpc-retry-pushback-ms: 500`.
    public var retryAfterText: String {
        if let p = retryPushback { return "grpc-retry-pushback-ms: \(p)" }
        return "Retry-After: \(retryAfter ?? "")"
    }

    public func matches(_ selector: TrafficSelector) -> Bool {
        guard from == selector.from else { return false }
        if let to = selector.to, to != self.to { return false }
        if let port = selector.port, port != self.port { return false }
        // A failed connection never said its path or method: it counts for any.
        if let pattern = selector.path, let path, !Self.glob(pattern, path) { return false }
        if let method = selector.method, let m = self.method, m != method { return false }
        return true
    }

    /// `*` matches any run of characters; the query string is ignored unless the pattern has one.
    static func glob(_ pattern: String, _ path: String) -> Bool {
        let subject = pattern.contains("?") ? path : String(path.prefix { $0 != "?" })
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return subject == pattern }
        guard subject.hasPrefix(parts[0]) else { return false }
        var rest = subject.dropFirst(parts[0].count)
        for (i, part) in parts.enumerated().dropFirst() {
            if i == parts.count - 1 { return part.isEmpty || rest.hasSuffix(part) }
            guard let r = rest.range(of: part) else { return false }
            rest = rest[r.upperBound...]
        }
        return true
    }
}

extension Attempt {
    /// The outcome as the client met it: a gRPC call answered with a status is that status
    /// (`gRPC UNAVAILABLE`), whatever HTTP status carried it.
    public var outcomeName: String {
        if let grpcStatus, case .status = outcome { return "gRPC \(grpcStatus)" }
        return outcome.description
    }

    /// `3 failed attempts (2 unanswered, 1 HTTP 503)`, or `no attempt` when the client never tried.
    public static func tally(_ attempts: [Attempt]) -> String {
        guard !attempts.isEmpty else { return "no attempt" }
        var counts: [String: Int] = [:]
        for a in attempts { counts[a.outcomeName, default: 0] += 1 }
        let parts = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) \($0.key)" }
        return "\(attempts.count) failed attempt\(attempts.count == 1 ? "" : "s") (\(parts.joined(separator: ", ")))"
    }
}
