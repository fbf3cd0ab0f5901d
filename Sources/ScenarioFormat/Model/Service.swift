/// A scripted stand-in service a host runs instead of a program (`service:` in a host).
///
/// Faultline serves it in-process, bound inside the host's namespace, and records every request
/// it serves in the history.
public enum Service: Codable, Sendable, Equatable {
    /// `service: http`: answers from a list of routes, 404 for anything else.
    case http(HTTPServiceSpec)
    /// `service: consul-kv`: enough of Consul's KV HTTP API for real Consul clients.
    case consulKV(ConsulKVSpec)
    /// `service: etcd`: enough of etcd's v3 gRPC API (KV, Watch, Lease, and `grpc.health.v1`)
    /// for `etcdctl` 3.4 and clientv3.
    case etcd(EtcdSpec)

    /// The word that names this kind in a scenario file.
    public var keyword: String {
        switch self {
        case .http: "http"
        case .consulKV: "consul-kv"
        case .etcd: "etcd"
        }
    }

    /// The TCP port the service listens on.
    public var port: UInt16 {
        switch self {
        case .http(let s): s.port
        case .consulKV(let s): s.port
        case .etcd(let s): s.port
        }
    }

    /// Every service keyword, for messages.
    public static let keywords = ["http", "consul-kv", "etcd"]

    /// Whether its calls are gRPC (HTTP/2), so faults answer them with gRPC status codes.
    public var speaksGRPC: Bool {
        switch self {
        case .http, .consulKV: false
        case .etcd: true
        }
    }
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

/// `service: etcd`: an etcd v3 server of one member, seeded with `kv:`.
public struct EtcdSpec: Codable, Sendable, Equatable {
    public var port: UInt16
    /// The initial keys and values, in file order (written at revision 2, 3, …, as puts would be).
    public var entries: [KVEntry]

    public init(port: UInt16 = 2379, entries: [KVEntry] = []) {
        self.port = port
        self.entries = entries
    }
}
