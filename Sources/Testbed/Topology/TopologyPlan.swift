import FaultlineCore
import LinuxSystem
import Netlink
import ScenarioFormat

/// The testbed's network, worked out before anything is touched: one namespace per host and one
/// router namespace, joined by a veth pair per host.
///
/// Routed /32 design: every host has its address as a /32 on `eth0` and a default route
/// `via ROUTER dev eth0 onlink`; the router has the router address (network + 1) on every
/// router-side veth and a /32 route to each host through that host's veth. No bridge, no ARP
/// between hosts, and every packet between hosts crosses the router, where partitions act.
public struct TopologyPlan: Sendable, Equatable {
    /// One host's place in the plan.
    public struct HostLink: Sendable, Equatable {
        /// The scenario's name for the host.
        public var host: String
        /// `fl-<runID>-<host>`
        public var namespace: NetworkNamespace
        /// network + 2 + the host's position.
        public var address: IPv4Address
        /// The host's end of its veth (`eth0`).
        public var interface: String
        /// The router's end of the host's veth (`h0`, `h1`, …; at most 15 bytes).
        public var routerInterface: String
    }

    public static let hostInterface = "eth0"
    /// Turned on in the router namespace.
    public static let forwardingSysctl = "net/ipv4/ip_forward"
    /// The TTL of packets the router sends itself; see ``routerSteps``.
    public static let routerTTL = 255

    public var runID: String
    public var network: IPv4Network
    /// `fl-<runID>-router`
    public var routerNamespace: NetworkNamespace
    /// network + 1, on every router-side veth.
    public var routerAddress: IPv4Address
    /// In the order given.
    public var hosts: [HostLink]

    /// Plans the topology; throws if a name cannot make a namespace name or the network is too small.
    public static func make(runID: String, hosts: [String], network: IPv4Network) throws -> TopologyPlan {
        try validate(runID, what: "run ID")
        var seen = Set<String>()
        for host in hosts {
            try validate(host, what: "host name")
            if host == "router" { throw TopologyError(.invalidName(host, reason: "\"router\" names the router's namespace")) }
            guard seen.insert(host).inserted else { throw TopologyError(.duplicateHost(host)) }
        }
        // The network address, the router and the broadcast address are not for hosts.
        let capacity = network.prefixLength > 30 ? 0 : Int(network.size) - 3
        guard hosts.count <= capacity else {
            throw TopologyError(.networkTooSmall(network: network, hosts: hosts.count, capacity: max(capacity, 0)))
        }
        let prefix = "fl-\(runID)-"
        return TopologyPlan(
            runID: runID,
            network: network,
            routerNamespace: NetworkNamespace(name: prefix + "router"),
            routerAddress: network.address(at: 1),
            hosts: hosts.enumerated().map { i, host in
                HostLink(
                    host: host,
                    namespace: NetworkNamespace(name: prefix + host),
                    address: network.address(at: UInt32(2 + i)),
                    interface: hostInterface,
                    routerInterface: "h\(i)"
                )
            }
        )
    }

    /// Every namespace name this plan creates starts with this (`fl-<runID>-`).
    public var namespacePrefix: String { "fl-\(runID)-" }

    /// The host's entry, if the plan has it.
    public func host(_ name: String) -> HostLink? { hosts.first { $0.host == name } }

    /// The host's entry; throws ``TopologyError`` for a name the plan does not have.
    public func requireHost(_ name: String) throws -> HostLink {
        guard let h = host(name) else { throw TopologyError(.unknownHost(name)) }
        return h
    }

    /// The host → router-side interface map.
    public var routerInterfaces: [String: String] {
        Dictionary(uniqueKeysWithValues: hosts.map { ($0.host, $0.routerInterface) })
    }

    /// Every step, router first, then each host.
    public var steps: [TopologyStep] { routerSteps + hosts.flatMap(steps(for:)) }

    /// Creates the router namespace, brings `lo` up and turns forwarding on.
    public var routerSteps: [TopologyStep] {
        [
            .createNamespace(routerNamespace),
            .linkUp("lo", in: routerNamespace),
            .sysctl(Self.forwardingSysctl, value: "1", in: routerNamespace),
            // Packets the router makes itself (a partition's RSTs and ICMP errors) leave with TTL
            // 255, which no forwarded packet can carry: the observer tells them apart by it.
            .sysctl("net/ipv4/ip_default_ttl", value: String(Self.routerTTL), in: routerNamespace),
            // A partition's ICMP errors answer every packet: not one a second per peer
            // (icmp_ratelimit), nor 1000 a second in all (icmp_msgs_per_sec, which applies to the
            // types in icmp_ratemask). Both are the router namespace's own settings.
            .sysctl("net/ipv4/icmp_ratelimit", value: "0", in: routerNamespace),
            .sysctl("net/ipv4/icmp_ratemask", value: "0", in: routerNamespace),
        ]
    }

    /// Creates one host's namespace and joins it to the router.
    public func steps(for host: HostLink) -> [TopologyStep] {
        let router = routerNamespace
        let ns = host.namespace
        return [
            .createNamespace(ns),
            .linkUp("lo", in: ns),
            .veth(VethPair(name: host.routerInterface, peerName: host.interface, peerNamespace: ns, up: true), in: router),
            .linkUp(host.interface, in: ns),
            .address(InterfaceAddress(host.address.prefix32, device: host.interface), in: ns),
            .route(Route(to: .any, via: routerAddress.value, device: host.interface, onlink: true), in: ns),
            .address(InterfaceAddress(routerAddress.prefix32, device: host.routerInterface), in: router),
            .route(Route(to: host.address.prefix32, device: host.routerInterface, scope: .link), in: router),
        ]
    }

    private static func validate(_ name: String, what: String) throws {
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
        }
        guard !name.isEmpty, allowed, name != ".", name != ".." else {
            throw TopologyError(.invalidName(name, reason: "a \(what) may use only letters, digits, '-', '_' and '.'"))
        }
        guard name.utf8.count <= 64 else {
            throw TopologyError(.invalidName(name, reason: "a \(what) may be at most 64 characters"))
        }
    }
}

extension IPv4Address {
    /// This address as a netlink /32.
    public var prefix32: IPv4Prefix { IPv4Prefix(address: value, length: 32) }
}
