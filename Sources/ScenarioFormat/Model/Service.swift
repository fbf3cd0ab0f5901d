/// A scripted stand-in service a host runs instead of a program (`service:` in a host).
///
/// Faultline serves it in-process, bound inside the host's namespace, and records every request
/// it serves in the history.
public enum Service: Codable, Sendable, Equatable {
    /// `service: http`: answers from a list of routes, 404 for anything else.
    case http(HTTPServiceSpec)
    /// `service: consul-kv`: enough of Consul's KV HTTP API for real Consul clients.
    case consulKV(ConsulKVSpec)

    /// The word that names this kind in a scenario file.
    public var keyword: String {
        switch self {
        case .http: "http"
        case .consulKV: "consul-kv"
        }
    }

    /// The TCP port the service listens on.
    public var port: UInt16 {
        switch self {
        case .http(let s): s.port
        case .consulKV(let s): s.port
        }
    }

    /// Every service keyword, for messages.
    public static let keywords = ["http", "consul-kv"]
}

/// `service: http`: the routes, tried in file order; the first whose path and method match answers.
public struct HTTPServiceSpec: Codable, Sendable, Equatable {
    public var port: UInt16
    public var routes: [HTTPRoute]

    public init(port: UInt16, routes: [HTTPRoute] = []) {
        self.port = port
        self.routes = routes
    }
}
