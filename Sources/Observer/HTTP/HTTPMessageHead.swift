/// The head of one HTTP/1.x message (start line and the headers that matter), as parsed off the
/// wire. Bodies are never stored.
public struct HTTPMessageHead: Sendable, Equatable {
    public enum StartLine: Sendable, Equatable {
        case request(method: String, target: String)
        case response(status: Int)
    }

    public var startLine: StartLine
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    public var minorVersion: Int
    /// The kept headers (``HTTPMessageHead/keptHeaders``), lower-cased names, values cut at 256 bytes.
    public var headers: [String: String]
    public var contentLength: Int?
    /// `Transfer-Encoding` ends in `chunked`.
    public var chunked: Bool
    /// `Transfer-Encoding` present but not ending in `chunked`.
    public var otherTransferEncoding: Bool

    /// The headers a history keeps: what checks ask about, and an `Upgrade: h2c`'s settings, never bodies or cookies.
    public static let keptHeaders: Set<String> = [
        "host", "user-agent", "content-type", "retry-after", "location", "connection",
        "x-consul-index", "x-consul-token", "x-request-id", "upgrade", "http2-settings",
    ]

    /// The longest header value kept, in bytes.
    public static let maxValueLength = 256
}
