import FaultlineCore
import Foundation
import LinuxSystem
import Netlink
import ScenarioFormat
import Synchronization

/// A built testbed network: the namespaces of ``TopologyPlan``, with a ``NamespaceThread`` in
/// each that the rest of Faultline reuses (netlink sockets, probe sockets, spawned processes).
///
/// ``teardown()`` deletes every namespace it created, which is what removes every link, route,
/// rule and iptables rule made inside them; the root namespace is never touched.
public final class Topology: Sendable {
    public let plan: TopologyPlan
    /// The backend the topology was built with; faults use the same one (its sockets are open).
    public let backend: any RouteNetlink

    private let built = Mutex(Built())

    /// What the build made so far, for teardown to undo.
    private struct Built {
        var threads: [String: NamespaceThread] = [:]
        var created: [NetworkNamespace] = []
        var tornDown = false
    }

    private init(plan: TopologyPlan, backend: any RouteNetlink) {
        self.plan = plan
        self.backend = backend
    }

    deinit { try? teardown() }

    /// Builds `plan`: every namespace (with its thread and netlink socket) first, then the
    /// router's and each host's links, addresses and routes in plan order. On any error,
    /// everything created so far is removed and the error is rethrown.
    ///
    /// Namespaces are created several at a time: `unshare(CLONE_NEWNET)` is the largest single
    /// cost of a host and runs in parallel in the kernel, while link and route
    /// changes serialise on the kernel's rtnl lock and gain nothing from threads.
    public static func build(_ plan: TopologyPlan, backend: (any RouteNetlink)? = nil) throws -> Topology {
        let topology = Topology(plan: plan, backend: backend ?? LibNLBackend())
        do {
            let namespaces = plan.steps.compactMap { step -> NetworkNamespace? in
                if case .createNamespace(let ns) = step { return ns }
                return nil
            }
            try topology.createNamespaces(namespaces)
            for step in plan.steps {
                if case .createNamespace = step { continue }
                try topology.apply(step)
            }
        } catch {
            try? topology.teardown()
            throw error
        }
        return topology
    }

    /// Creates the namespaces, their threads and sockets, up to one per core at a time
    /// (each namespace is created on a throwaway thread of its own, so no worker moves).
    private func createNamespaces(_ namespaces: [NetworkNamespace]) throws {
        let failure = LockedFirstError()
        let width = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        DispatchQueue.concurrentPerform(iterations: width) { worker in
            for i in stride(from: worker, to: namespaces.count, by: width) where failure.get() == nil {
                do { try apply(.createNamespace(namespaces[i])) } catch { failure.set(error) }
            }
        }
        if let error = failure.get() { throw error }
    }

    private func apply(_ step: TopologyStep) throws {
        switch step {
        case .createNamespace(let ns):
            let namespace = try NetworkNamespace.create(ns.name)
            built.withLock { $0.created.append(namespace) }
            let thread = try NamespaceThread(namespace)
            built.withLock { $0.threads[namespace.name] = thread }
            try backend.attach(thread)
        case .linkUp(let device, let ns): try backend.setLinkUp(device, in: ns)
        case .veth(let pair, let ns): try backend.addVethPair(pair, in: ns)
        case .address(let address, let ns): try backend.addAddress(address, in: ns)
        case .route(let route, let ns): try backend.addRoute(route, in: ns)
        case .sysctl(let key, let value, let ns): try backend.setSysctl(key, to: value, in: ns)
        }
    }

    // MARK: Looking things up

    /// Host names, in the scenario's order.
    public var hosts: [String] { plan.hosts.map(\.host) }
    public var routerNamespace: NetworkNamespace { plan.routerNamespace }
    public var routerAddress: IPv4Address { plan.routerAddress }
    public var routerThread: NamespaceThread { built.withLock { $0.threads[plan.routerNamespace.name]! } }

    /// The host's namespace (`fl-<runID>-<host>`).
    public func namespace(of host: String) throws -> NetworkNamespace { try plan.requireHost(host).namespace }

    /// The host's address.
    public func address(of host: String) throws -> IPv4Address { try plan.requireHost(host).address }

    /// The thread that lives in the host's namespace.
    public func thread(of host: String) throws -> NamespaceThread {
        let ns = try namespace(of: host)
        guard let thread = thread(in: ns) else { throw TopologyError(.unknownHost(host)) }
        return thread
    }

    /// The thread that lives in `namespace`, if the topology made it (the router's included).
    public func thread(in namespace: NetworkNamespace) -> NamespaceThread? {
        built.withLock { $0.threads[namespace.name] }
    }

    /// The host with this address, if any.
    public func host(at address: IPv4Address) -> String? { plan.hosts.first { $0.address == address }?.host }

    // MARK: Teardown

    /// Deletes the namespaces a run left behind (a crash, a kill -9): every `fl-<runID>-…`.
    /// Returns their names. Equivalent to: `ip netns delete` for each.
    @discardableResult
    public static func removeLeftovers(runID: String) -> [String] {
        let prefix = "fl-\(runID)-"
        var removed: [String] = []
        for ns in NetworkNamespace.list(prefix: prefix) where (try? ns.delete()) != nil { removed.append(ns.name) }
        return removed
    }

    /// Stops the threads and deletes every namespace the topology created, hosts first.
    /// Idempotent; tries every namespace and then throws the first failure.
    /// Equivalent to: `ip netns delete NS` for each.
    public func teardown() throws {
        let (namespaces, threads) = built.withLock { built -> ([NetworkNamespace], [NamespaceThread]) in
            if built.tornDown { return ([], []) }
            built.tornDown = true
            defer { built.created.removeAll(); built.threads.removeAll() }
            return (built.created, Array(built.threads.values))
        }
        for ns in namespaces { backend.detach(ns) }
        for thread in threads { thread.stop() }
        var firstError: Error?
        for ns in namespaces.reversed() {
            do { try ns.delete() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}

/// The first error reported by any of several threads.
private final class LockedFirstError: Sendable {
    private let error = Mutex<Error?>(nil)
    func set(_ e: Error) { error.withLock { if $0 == nil { $0 = e } } }
    func get() -> Error? { error.withLock { $0 } }
}
