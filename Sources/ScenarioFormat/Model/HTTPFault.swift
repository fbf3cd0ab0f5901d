import FaultlineCore
/// An HTTP fault: a stand-in service answers matching requests differently while it lasts.
///
/// ```yaml
/// http:
///   target: consul
///   match: { path: "/v1/kv/*" }
///   respond: { status: 429, retry-after: 1s }   # or a sequence: [503, 503, pass]
///   first: 2
///   delay: 200ms
/// ```
public struct HTTPFault: Codable, Sendable, Equatable {
    /// The host whose service is affected.
    public var target: String
    public var match: HTTPMatch
    public var action: HTTPFaultAction
    /// Only the first N matching requests after the fault starts are affected.
    public var first: Int?
    /// Answer this much later (the fault's own answer, or the service's when there is none).
    public var delay: TimeSpan?

    public init(target: String, match: HTTPMatch = HTTPMatch(), action: HTTPFaultAction, first: Int? = nil,
                delay: TimeSpan? = nil) {
        self.target = target
        self.match = match
        self.action = action
        self.first = first
        self.delay = delay
    }
}

/// Which requests a fault shapes.
public struct HTTPMatch: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Path pattern (query string excluded); `*` matches any run of characters.
    public var path: String
    /// Upper-case method; nil matches every method.
    public var method: String?

    public init(path: String = "*", method: String? = nil) {
        self.path = path
        self.method = method
    }

    public var description: String { method.map { "\($0) \(path)" } ?? path }
}

/// What a fault does to a matching request.
public enum HTTPFaultAction: Codable, Sendable, Equatable {
    /// Every matching request gets this answer.
    case respond(HTTPFaultReply)
    /// The n-th matching request gets the n-th step; once the steps are used up, the service answers.
    case sequence([HTTPFaultStep])
    /// The connection is dropped instead of answered.
    case abort(HTTPAbort)
    /// The service answers itself (only `delay` applies).
    case passThrough
}

/// A fault's own answer: an HTTP status with an optional `Retry-After` (whole seconds) and body,
/// or, for a gRPC call, a gRPC status (HTTP 200, `grpc-status` in the trailers) with its message
/// in `body` and an optional `grpc-retry-pushback-ms`.
public struct HTTPFaultReply: Codable, Sendable, Equatable {
    /// The HTTP status: 200 when the answer is a gRPC status.
    public var status: Int
    /// The gRPC status of the call; nil for a plain HTTP answer.
    public var grpcStatus: GRPCStatusCode?
    public var retryAfter: Int?
    /// `grpc-retry-pushback-ms`: the client should wait this long before retrying; negative, not retry.
    public var pushbackMilliseconds: Int64?
    /// The body of an HTTP answer, the `grpc-message` of a gRPC one.
    public var body: String

    public init(status: Int, retryAfter: Int? = nil, body: String = "") {
        self.status = status
        self.retryAfter = retryAfter
        self.body = body
    }

    /// A gRPC call answered with `code` (under HTTP 200, as gRPC servers answer).
    public init(grpc code: GRPCStatusCode, message: String = "", pushbackMilliseconds: Int64? = nil) {
        self.status = 200
        self.grpcStatus = code
        self.pushbackMilliseconds = pushbackMilliseconds
        self.body = message
    }
}

/// One step of a response sequence.
public enum HTTPFaultStep: Codable, Sendable, Equatable {
    case reply(HTTPFaultReply)
    /// `pass`: the service answers this request.
    case pass
}

/// How a fault drops a connection.
public enum HTTPAbort: String, Codable, Sendable, CaseIterable {
    /// TCP reset (`SO_LINGER` 0 then close): the client sees ECONNRESET.
    case reset
    /// Orderly close without an answer: the client sees an empty reply.
    case close
}
