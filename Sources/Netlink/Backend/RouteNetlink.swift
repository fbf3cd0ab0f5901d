import LinuxSystem
/// The operations the testbed and the faults need from rtnetlink, each bound to a namespace.
///
/// ``LibNLBackend`` talks to the kernel through libnl; ``RecordingBackend`` writes down each call
/// as the `ip` command it equals, so planners and appliers test without root.
public protocol RouteNetlink: AnyObject, Sendable {
    /// Makes `thread`'s namespace usable for the calls below. The backend may open a socket on the
    /// thread and may run later calls (such as ``setSysctl(_:to:in:)``) on it.
    func attach(_ thread: NamespaceThread) throws
    /// Releases what ``attach(_:)`` opened for `namespace`. Idempotent.
    func detach(_ namespace: NetworkNamespace)

    /// Creates a veth pair in `namespace`, its peer possibly in another namespace.
    /// Equivalent to: `ip -n NS link add NAME up type veth peer name PEER netns PEER_NS`.
    func addVethPair(_ pair: VethPair, in namespace: NetworkNamespace) throws

    /// Brings a device up (also `lo`). Equivalent to: `ip -n NS link set DEV up`.
    func setLinkUp(_ device: String, in namespace: NetworkNamespace) throws

    /// The device's interface index. Equivalent to: `ip -n NS -o link show DEV` (the leading number).
    func interfaceIndex(of device: String, in namespace: NetworkNamespace) throws -> Int32

    /// Adds an address. Equivalent to: `ip -n NS address add A.B.C.D/LEN dev DEV`.
    func addAddress(_ address: InterfaceAddress, in namespace: NetworkNamespace) throws

    /// Adds a route to the main table.
    /// Equivalent to: `ip -n NS route add [TYPE] DST [via GW] [dev DEV] [onlink] [scope SCOPE]`.
    func addRoute(_ route: Route, in namespace: NetworkNamespace) throws

    /// Deletes a route from the main table. Deleting a route that is not there succeeds.
    /// Equivalent to: `ip -n NS route del [TYPE] DST [via GW] [dev DEV]`.
    func deleteRoute(_ route: Route, in namespace: NetworkNamespace) throws

    /// Adds a FIB rule; an identical rule already present is an error (`NLE_EXIST`).
    /// Equivalent to: `ip -n NS rule add [from SRC] [to DST] ACTION priority PRIO`.
    func addRule(_ rule: FIBRule, in namespace: NetworkNamespace) throws

    /// Deletes a FIB rule. Deleting a rule that is not there succeeds, so healing is idempotent.
    /// Equivalent to: `ip -n NS rule del [from SRC] [to DST] ACTION priority PRIO`.
    func deleteRule(_ rule: FIBRule, in namespace: NetworkNamespace) throws

    /// The IPv4 rules of `namespace`, as `ip -4 rule` would list them.
    /// Equivalent to: `ip -n NS -4 rule show`.
    func rules(in namespace: NetworkNamespace) throws -> [String]

    /// Writes a sysctl of `namespace` (`net/...` keys are per namespace).
    /// Equivalent to: `ip netns exec NS sysctl -w KEY=VALUE` (`KEY` with slashes: `net/ipv4/ip_forward`).
    func setSysctl(_ key: String, to value: String, in namespace: NetworkNamespace) throws

    // MARK: Traffic control

    /// Adds a qdisc; one of the same kind and handle already there is changed in place, so a root
    /// shared by several faults can be added by each. Equivalent to: `tc -n NS qdisc add …`.
    func addQdisc(_ qdisc: Qdisc, in namespace: NetworkNamespace) throws

    /// Deletes a qdisc and everything under it; one that is not there is not an error.
    /// Equivalent to: `tc -n NS qdisc del dev DEV (root | parent P) handle H`.
    func deleteQdisc(_ qdisc: Qdisc, in namespace: NetworkNamespace) throws

    /// Adds an HTB class. Equivalent to: `tc -n NS class add …`.
    func addTrafficClass(_ trafficClass: TrafficClass, in namespace: NetworkNamespace) throws

    /// Deletes a class (with its leaf qdisc); one that is not there is not an error.
    /// Equivalent to: `tc -n NS class del dev DEV classid C`.
    func deleteTrafficClass(_ trafficClass: TrafficClass, in namespace: NetworkNamespace) throws

    /// Adds a u32 filter. Equivalent to: `tc -n NS filter add …`.
    func addFilter(_ filter: U32Filter, in namespace: NetworkNamespace) throws

    /// Deletes the filters of one priority under `filter.parent`; none there is not an error.
    /// Equivalent to: `tc -n NS filter del dev DEV parent P protocol ip prio N`.
    func deleteFilter(_ filter: U32Filter, in namespace: NetworkNamespace) throws

    /// The qdiscs on `namespace`'s devices, one line each as libnl prints them (for checks that
    /// nothing is left behind). Equivalent to: `tc -n NS qdisc show`.
    func qdiscs(in namespace: NetworkNamespace) throws -> [String]
}
