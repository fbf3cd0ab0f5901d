/// An IPv4 route in the main table.
///
/// Equivalent to: `ip -n NS route add [TYPE] DST [via GW] [dev DEV] [onlink] [scope SCOPE]`.
public struct Route: Hashable, Sendable, CustomStringConvertible {
    public var type: RouteType
    public var destination: IPv4Prefix
    /// The next hop; nil for a directly connected destination.
    public var gateway: UInt32?
    /// The outgoing device; required for unicast routes, absent for the others.
    public var device: String?
    /// Treat the gateway as reachable on `device` even though no prefix there covers it
    /// (what makes the routed /32 design work).
    public var onlink: Bool
    public var scope: RouteScope
    /// The route's metric (`metric N`): routes to the same destination with different metrics
    /// coexist, and the lowest wins. Lets several faults each own a route to the same host.
    public var metric: UInt32 = 0

    /// A unicast route.
    public init(
        to destination: IPv4Prefix, via gateway: UInt32? = nil, device: String, onlink: Bool = false,
        scope: RouteScope? = nil
    ) {
        self.type = .unicast
        self.destination = destination
        self.gateway = gateway
        self.device = device
        self.onlink = onlink
        self.scope = scope ?? (gateway == nil ? .link : .universe)
    }

    /// A route that fails every lookup for `destination`: locally `connect()` gets EHOSTUNREACH
    /// (unreachable) or EACCES (prohibit); blackhole drops silently.
    /// Equivalent to: `ip -n NS route add unreachable|prohibit|blackhole DST`.
    public init(_ type: RouteType, to destination: IPv4Prefix, metric: UInt32 = 0) {
        self.metric = metric
        self.type = type
        self.destination = destination
        self.gateway = nil
        self.device = nil
        self.onlink = false
        self.scope = .universe
    }

    /// The arguments after `ip route add`: `198.18.0.2/32 dev h0 scope link`, `unreachable 198.18.0.3/32`.
    public var description: String {
        var s = type == .unicast ? "\(destination)" : "\(type) \(destination)"
        if let gateway { s += " via \(IPv4Prefix(address: gateway).addressText)" }
        if let device { s += " dev \(device)" }
        if onlink { s += " onlink" }
        if type == .unicast && (gateway == nil || scope != .universe) { s += " scope \(scope)" }
        if metric != 0 { s += " metric \(metric)" }
        return s
    }
}

/// The route's type (`rtm_type`).
public enum RouteType: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// RTN_UNICAST
    case unicast = 1
    /// RTN_BLACKHOLE
    case blackhole = 6
    /// RTN_UNREACHABLE
    case unreachable = 7
    /// RTN_PROHIBIT
    case prohibit = 8

    public var description: String {
        switch self {
        case .unicast: "unicast"
        case .blackhole: "blackhole"
        case .unreachable: "unreachable"
        case .prohibit: "prohibit"
        }
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
