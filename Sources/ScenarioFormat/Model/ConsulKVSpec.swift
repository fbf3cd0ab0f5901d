/// `service: consul-kv`: a Consul KV store seeded with `kv:`, optionally guarded by an ACL token.
public struct ConsulKVSpec: Codable, Sendable, Equatable {
    public var port: UInt16
    /// The initial keys and values, in file order.
    public var entries: [KVEntry]
    /// `acl: { token: … }`: every request must carry this token (`X-Consul-Token` or `?token=`),
    /// else 403.
    public var aclToken: String?

    public init(port: UInt16 = 8500, entries: [KVEntry] = [], aclToken: String? = nil) {
        self.port = port
        self.entries = entries
        self.aclToken = aclToken
    }
}

/// One key and its value.
public struct KVEntry: Codable, Sendable, Equatable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
