import FaultlineCore
/// One route of an `http` stand-in: requests whose path (and method, if given) match get `respond`.
public struct HTTPRoute: Codable, Sendable, Equatable {
    /// A path pattern; `*` matches any run of characters, `/` included (`/v1/kv/*`).
    public var path: String
    /// Upper-case method (`GET`); nil matches every method.
    public var method: String?
    public var respond: HTTPReply

    public init(path: String, method: String? = nil, respond: HTTPReply) {
        self.path = path
        self.method = method
        self.respond = respond
    }
}

/// A scripted answer: status, body, extra headers, and how long to wait before answering.
public struct HTTPReply: Codable, Sendable, Equatable {
    public var status: Int
    public var body: String
    /// Extra response headers, in file order (`Content-Length` is always computed).
    public var headers: [HTTPHeader]
    /// Answer this much later than the request arrived.
    public var delay: TimeSpan?

    public init(status: Int, body: String = "", headers: [HTTPHeader] = [], delay: TimeSpan? = nil) {
        self.status = status
        self.body = body
        self.headers = headers
        self.delay = delay
    }
}

/// One header line, name as written.
public struct HTTPHeader: Codable, Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
