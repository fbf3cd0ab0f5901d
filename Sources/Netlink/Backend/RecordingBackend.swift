import CNetlink
import Foundation
import LinuxSystem
import Synchronization

/// A backend that changes nothing and writes down each call as the `ip` command it equals,
/// for tests of planners and appliers that run without root.
///
/// `failing` makes matching calls throw, to test rollback paths.
public final class RecordingBackend: RouteNetlink, Sendable {
    /// One call, typed, with the command it equals.
    public struct Call: Sendable, Equatable, CustomStringConvertible {
        /// The request ``LibNLBackend`` would make; nil for `detach` (which sends none) and for
        /// lines other seams record.
        public var request: NetlinkRequest?
        /// `ip -n NS …`, `tc -n NS …`, or the line as given to ``RecordingBackend/record(_:)``.
        public var command: String

        public var description: String { command }
    }

    private let calls = Mutex<[Call]>([])
    private let presentRules = Mutex<[String: Set<FIBRule>]>([:])
    /// Calls whose command contains this string throw `NLE_PERM`, as the kernel would refuse them.
    public let failing: String?

    public init(failing: String? = nil) { self.failing = failing }

    /// Every call so far, typed.
    public var recorded: [Call] { calls.withLock { $0 } }

    /// Every call so far, as `ip -n NS …` commands (other entries as given to ``record(_:)``).
    public var trace: [String] { recorded.map(\.command) }

    /// Forgets the trace.
    public func reset() { calls.withLock { $0.removeAll() } }

    /// Appends a line to the trace; other seams (iptables) share one trace with netlink calls.
    public func record(_ line: String) throws {
        try record(Call(request: nil, command: line))
    }

    private func record(_ call: Call) throws {
        try calls.withLock { calls in
            calls.append(call)
            if let failing, call.command.contains(failing) {
                throw (call.request ?? NetlinkRequest(.recording, call.command, in: "-")).failure(-Int32(NLE_PERM))
            }
        }
    }

    private func record(_ request: NetlinkRequest, as command: String) throws {
        try record(Call(request: request, command: command))
    }

    public func attach(_ thread: NamespaceThread) throws {
        try record(NetlinkRequest(.connectSocket, "rtnetlink socket", in: thread.namespace.name), as: "attach \(thread.namespace.name)")
    }
    public func detach(_ namespace: NetworkNamespace) { try? record("detach \(namespace.name)") }

    public func addVethPair(_ pair: VethPair, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.addLink, pair, in: namespace), as: "ip -n \(namespace) \(pair)")
    }
    public func setLinkUp(_ device: String, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.setLinkUp, link: device, in: namespace), as: "ip -n \(namespace) link set \(device) up")
    }
    public func interfaceIndex(of device: String, in namespace: NetworkNamespace) throws -> Int32 {
        try record(NetlinkRequest(.lookUpLink, link: device, in: namespace), as: "ip -n \(namespace) -o link show \(device)")
        return 2
    }
    public func addAddress(_ address: InterfaceAddress, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.addAddress, address, in: namespace), as: "ip -n \(namespace) \(address)")
    }
    public func addRoute(_ route: Route, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.addRoute, route, in: namespace), as: "ip -n \(namespace) route add \(route)")
    }
    public func deleteRoute(_ route: Route, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.deleteRoute, route, in: namespace), as: "ip -n \(namespace) route del \(route)")
    }
    public func addRule(_ rule: FIBRule, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.addRule, rule, in: namespace)
        try record(request, as: "ip -n \(namespace) rule add \(rule)")
        try presentRules.withLock { presentRules in
            guard presentRules[namespace.name, default: []].insert(rule).inserted else {
                throw request.failure(-Int32(NLE_EXIST))
            }
        }
    }
    public func deleteRule(_ rule: FIBRule, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.deleteRule, rule, in: namespace), as: "ip -n \(namespace) rule del \(rule)")
        _ = presentRules.withLock { $0[namespace.name]?.remove(rule) }
    }
    public func rules(in namespace: NetworkNamespace) throws -> [String] {
        presentRules.withLock { $0[namespace.name, default: []].map(\.description).sorted() }
    }
    public func setSysctl(_ key: String, to value: String, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.writeSysctl, key, in: namespace.name), as: "ip netns exec \(namespace) sysctl -w \(key.replacingOccurrences(of: "/", with: "."))=\(value)")
    }

    public func addQdisc(_ qdisc: Qdisc, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.addQdisc, qdisc, in: namespace), as: "tc -n \(namespace) qdisc add \(qdisc)")
    }
    public func deleteQdisc(_ qdisc: Qdisc, in namespace: NetworkNamespace) throws {
        let place = qdisc.parent == .root ? "root" : "parent \(qdisc.parent)"
        try record(NetlinkRequest(.deleteQdisc, qdisc, in: namespace),
                   as: "tc -n \(namespace) qdisc del dev \(qdisc.device) \(place) handle \(qdisc.handle)")
    }
    public func addTrafficClass(_ trafficClass: TrafficClass, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.addClass, trafficClass, in: namespace), as: "tc -n \(namespace) class add \(trafficClass)")
    }
    public func deleteTrafficClass(_ trafficClass: TrafficClass, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.deleteClass, trafficClass, in: namespace),
                   as: "tc -n \(namespace) class del dev \(trafficClass.device) classid \(trafficClass.classID)")
    }
    public func addFilter(_ filter: U32Filter, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.addFilter, filter, in: namespace), as: "tc -n \(namespace) filter add \(filter)")
    }
    public func deleteFilter(_ filter: U32Filter, in namespace: NetworkNamespace) throws {
        try record(NetlinkRequest(.deleteFilter, filter, in: namespace),
                   as: "tc -n \(namespace) filter del dev \(filter.device) parent \(filter.parent) protocol ip prio \(filter.priority)")
    }
    public func qdiscs(in namespace: NetworkNamespace) throws -> [String] { [] }
}
