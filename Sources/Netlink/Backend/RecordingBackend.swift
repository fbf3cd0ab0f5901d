import Foundation
import LinuxSystem
import Synchronization

/// A backend that changes nothing and writes down each call as the `ip` command it equals,
/// for tests of planners and appliers that run without root.
///
/// `failing` makes matching calls throw, to test rollback paths.
public final class RecordingBackend: RouteNetlink, Sendable {
    private let calls = Mutex<[String]>([])
    private let presentRules = Mutex<[String: Set<FIBRule>]>([:])
    /// Calls whose recorded text contains this string throw `NLE_PERM`.
    public let failing: String?

    public init(failing: String? = nil) { self.failing = failing }

    /// Every call so far, as `ip -n NS …` commands (other entries as given to ``record(_:)``).
    public var trace: [String] { calls.withLock { $0 } }

    /// Forgets the trace.
    public func reset() { calls.withLock { $0.removeAll() } }

    /// Appends a line to the trace; other seams (iptables) share one trace with netlink calls.
    public func record(_ line: String) throws {
        try calls.withLock { calls in
            calls.append(line)
            if let failing, line.contains(failing) {
                throw NetlinkError(operation: "recording", object: line, namespace: "-", code: -28)
            }
        }
    }

    public func attach(_ thread: NamespaceThread) throws { try record("attach \(thread.namespace.name)") }
    public func detach(_ namespace: NetworkNamespace) { try? record("detach \(namespace.name)") }

    public func addVethPair(_ pair: VethPair, in namespace: NetworkNamespace) throws {
        try record("ip -n \(namespace) \(pair)")
    }
    public func setLinkUp(_ device: String, in namespace: NetworkNamespace) throws {
        try record("ip -n \(namespace) link set \(device) up")
    }
    public func interfaceIndex(of device: String, in namespace: NetworkNamespace) throws -> Int32 {
        try record("ip -n \(namespace) -o link show \(device)")
        return 2
    }
    public func addAddress(_ address: InterfaceAddress, in namespace: NetworkNamespace) throws {
        try record("ip -n \(namespace) \(address)")
    }
    public func addRoute(_ route: Route, in namespace: NetworkNamespace) throws {
        try record("ip -n \(namespace) route add \(route)")
    }
    public func deleteRoute(_ route: Route, in namespace: NetworkNamespace) throws {
        try record("ip -n \(namespace) route del \(route)")
    }
    public func addRule(_ rule: FIBRule, in namespace: NetworkNamespace) throws {
        try record("ip -n \(namespace) rule add \(rule)")
        try presentRules.withLock { presentRules in
            guard presentRules[namespace.name, default: []].insert(rule).inserted else {
                throw NetlinkError(operation: "adding FIB rule", object: rule.description, namespace: namespace.name, code: -6)
            }
        }
    }
    public func deleteRule(_ rule: FIBRule, in namespace: NetworkNamespace) throws {
        try record("ip -n \(namespace) rule del \(rule)")
        _ = presentRules.withLock { $0[namespace.name]?.remove(rule) }
    }
    public func rules(in namespace: NetworkNamespace) throws -> [String] {
        presentRules.withLock { $0[namespace.name, default: []].map(\.description).sorted() }
    }
    public func setSysctl(_ key: String, to value: String, in namespace: NetworkNamespace) throws {
        try record("ip netns exec \(namespace) sysctl -w \(key.replacingOccurrences(of: "/", with: "."))=\(value)")
    }

    public func addQdisc(_ qdisc: Qdisc, in namespace: NetworkNamespace) throws {
        try record("tc -n \(namespace) qdisc add \(qdisc)")
    }
    public func deleteQdisc(_ qdisc: Qdisc, in namespace: NetworkNamespace) throws {
        let place = qdisc.parent == .root ? "root" : "parent \(qdisc.parent)"
        try record("tc -n \(namespace) qdisc del dev \(qdisc.device) \(place) handle \(qdisc.handle)")
    }
    public func addTrafficClass(_ trafficClass: TrafficClass, in namespace: NetworkNamespace) throws {
        try record("tc -n \(namespace) class add \(trafficClass)")
    }
    public func deleteTrafficClass(_ trafficClass: TrafficClass, in namespace: NetworkNamespace) throws {
        try record("tc -n \(namespace) class del dev \(trafficClass.device) classid \(trafficClass.classID)")
    }
    public func addFilter(_ filter: U32Filter, in namespace: NetworkNamespace) throws {
        try record("tc -n \(namespace) filter add \(filter)")
    }
    public func deleteFilter(_ filter: U32Filter, in namespace: NetworkNamespace) throws {
        try record("tc -n \(namespace) filter del dev \(filter.device) parent \(filter.parent) protocol ip prio \(filter.priority)")
    }
    public func qdiscs(in namespace: NetworkNamespace) throws -> [String] { [] }
}
