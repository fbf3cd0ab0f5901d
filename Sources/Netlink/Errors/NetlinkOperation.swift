/// What a libnl request does, each case with the words its error messages use.
public enum NetlinkOperation: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `nl_socket_alloc`.
    case allocateSocket
    /// `nl_connect`.
    case connectSocket
    /// `rtnl_link_add`: `ip link add`.
    case addLink
    /// `rtnl_link_change` with IFF_UP: `ip link set DEV up`.
    case setLinkUp
    /// `rtnl_link_get_kernel`: `ip link show DEV`.
    case lookUpLink
    /// `rtnl_addr_add`: `ip address add`.
    case addAddress
    /// `rtnl_route_add`: `ip route add`.
    case addRoute
    /// `rtnl_route_delete`: `ip route del`.
    case deleteRoute
    /// `rtnl_rule_add`: `ip rule add`.
    case addRule
    /// `rtnl_rule_delete`: `ip rule del`.
    case deleteRule
    /// A `/proc/sys/net` write on the namespace's thread: `sysctl -w`.
    case writeSysctl
    /// `rtnl_qdisc_add`: `tc qdisc add`.
    case addQdisc
    /// `rtnl_qdisc_delete`: `tc qdisc del`.
    case deleteQdisc
    /// `rtnl_class_add`: `tc class add`.
    case addClass
    /// `rtnl_class_delete`: `tc class del`.
    case deleteClass
    /// `rtnl_cls_add`: `tc filter add`.
    case addFilter
    /// `rtnl_cls_delete`: `tc filter del`.
    case deleteFilter
    /// A cache dump (`rtnl_*_alloc_cache`): `ip link`, `ip rule`, `tc qdisc show`, …
    case list
    /// A line another seam (iptables, the delay line) wrote into a ``RecordingBackend``'s trace;
    /// only that fake's injected failures carry it.
    case recording

    /// The words an error message starts with: "adding FIB rule", "deleting".
    public var description: String {
        switch self {
        case .allocateSocket: "allocating"
        case .connectSocket: "connecting"
        case .addLink, .addAddress, .addRoute, .addQdisc, .addClass, .addFilter: "adding"
        case .setLinkUp: "setting up"
        case .lookUpLink: "looking up"
        case .deleteRoute, .deleteQdisc, .deleteClass, .deleteFilter: "deleting"
        case .addRule: "adding FIB rule"
        case .deleteRule: "deleting FIB rule"
        case .writeSysctl: "writing sysctl"
        case .list: "listing"
        case .recording: "recording"
        }
    }
}
