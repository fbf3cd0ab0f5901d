import NIOHTTP1

/// One complete HTTP request as a stand-in service sees it.
public struct ServiceRequest: Sendable {
    public var method: String
    /// The request target as sent (`/v1/kv/a?recurse`).
    public var uri: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether the connection stays open after the answer (HTTP/1.1 default, `Connection:` decides).
    public var keepAlive: Bool

    public init(method: String, uri: String, headers: HTTPHeaders = [:], body: [UInt8] = [], keepAlive: Bool = true) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The path without the query string, still percent-encoded.
    public var rawPath: String { String(uri.prefix { $0 != "?" }) }

    /// The path percent-decoded; nil if its escapes are malformed.
    public var path: String? { rawPath.removingPercentEncoding }

    /// The query's parameters in order; a parameter without `=` has an empty value.
    public var query: [(name: String, value: String)] {
        guard let q = uri.firstIndex(of: "?") else { return [] }
        return uri[uri.index(after: q)...].split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The value of a query parameter, `""` for a bare flag (`?recurse`), nil when absent.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// Whether a flag such as `?recurse` or `?recurse=true` is set.
    public func flag(_ name: String) -> Bool {
        guard let v = queryValue(name) else { return false }
        return v != "false" && v != "0"
    }
}
