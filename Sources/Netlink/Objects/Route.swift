/// An IPv4 unicast route in the main table.
///
/// Equivalent to: `ip -n NS route add DST [via GW] dev DEV [onlink] [scope SCOPE]`.
public struct Route: Hashable, Sendable, CustomStringConvertible {
    public var destination: IPv4Prefix
    /// The next hop; nil for a directly connected destination.
    public var gateway: UInt32?
    public var device: String
    /// Treat the gateway as reachable on `device` even though no prefix there covers it
    /// (what makes the routed /32 design work).
    public var onlink: Bool
    public var scope: RouteScope

    public init(
        to destination: IPv4Prefix, via gateway: UInt32? = nil, device: String, onlink: Bool = false,
        scope: RouteScope? = nil
    ) {
        self.destination = destination
        self.gateway = gateway
        self.device = device
        self.onlink = onlink
        self.scope = scope ?? (gateway == nil ? .link : .universe)
    }

    /// The arguments after `ip -n NS`.
    public var description: String {
        var s = "route add \(destination)"
        if let gateway { s += " via \(IPv4Prefix(address: gateway).addressText)" }
        s += " dev \(device)"
        if onlink { s += " onlink" }
        if scope != (gateway == nil ? .link : .universe) || gateway == nil { s += " scope \(scope)" }
        return s
    }
}

/// How far a route's destination is (`rtm_scope`).
public enum RouteScope: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// RT_SCOPE_UNIVERSE: reached through a gateway.
    case universe = 0
    /// RT_SCOPE_LINK: on the attached link.
    case link = 253
    /// RT_SCOPE_HOST: this host.
    case host = 254

    public var description: String {
        switch self {
        case .universe: "global"
        case .link: "link"
        case .host: "host"
        }
    }
}
