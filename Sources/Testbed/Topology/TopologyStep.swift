import LinuxSystem
import Netlink

/// One change to the machine that building a topology makes, in order; each names the `ip`
/// command it equals (which is also how the benchmark builds the same topology with `ip`).
public enum TopologyStep: Sendable, Equatable, CustomStringConvertible {
    /// `ip netns add NS`
    case createNamespace(NetworkNamespace)
    /// `ip -n NS link set DEV up`
    case linkUp(String, in: NetworkNamespace)
    /// `ip -n NS link add NAME up type veth peer name PEER netns PEER_NS`
    case veth(VethPair, in: NetworkNamespace)
    /// `ip -n NS address add A/LEN dev DEV`
    case address(InterfaceAddress, in: NetworkNamespace)
    /// `ip -n NS route add DST [via GW] dev DEV [onlink] [scope SCOPE]`
    case route(Route, in: NetworkNamespace)
    /// `ip netns exec NS sysctl -w KEY=VALUE`
    case sysctl(String, value: String, in: NetworkNamespace)

    /// The namespace the step acts in (for ``createNamespace(_:)``, the one it creates).
    public var namespace: NetworkNamespace {
        switch self {
        case .createNamespace(let ns), .linkUp(_, let ns), .veth(_, let ns), .address(_, let ns),
             .route(_, let ns), .sysctl(_, _, let ns):
            ns
        }
    }

    /// The arguments to `ip` that make the same change.
    public var ipArguments: [String] {
        switch self {
        case .createNamespace(let ns): ["netns", "add", ns.name]
        case .linkUp(let dev, let ns): ["-n", ns.name, "link", "set", dev, "up"]
        case .veth(let pair, let ns): ["-n", ns.name] + Self.words(pair.description)
        case .address(let address, let ns): ["-n", ns.name] + Self.words(address.description)
        case .route(let route, let ns): ["-n", ns.name, "route", "add"] + Self.words(route.description)
        case .sysctl(let key, let value, let ns):
            ["netns", "exec", ns.name, "sysctl", "-qw", "\(key.replacingOccurrences(of: "/", with: "."))=\(value)"]
        }
    }

    /// `ip …` as a person would type it.
    public var description: String { (["ip"] + ipArguments).joined(separator: " ") }

    private static func words(_ s: String) -> [String] { s.split(separator: " ").map(String.init) }
}
