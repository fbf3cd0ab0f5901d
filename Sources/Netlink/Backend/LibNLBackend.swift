import CNetlink
import Foundation
import Glibc
import LinuxSystem
import Synchronization

/// The one place that calls libnl (`nl_*`, `rtnl_*`).
///
/// Each attached namespace gets one rtnetlink socket, connected on that namespace's
/// ``NamespaceThread`` and thereby bound to the namespace for life. Requests then go out from
/// whichever thread calls (the socket, not the thread, decides the namespace), serialised per
/// socket, without a thread hop: a FIB rule toggles in a few microseconds. No caches are
/// allocated for writes; interface indexes are looked up by name once and remembered.
public final class LibNLBackend: RouteNetlink, Sendable {
    // Unchecked, soundly: the libnl socket and `indexes` are touched only under `lock`.
    final class Session: @unchecked Sendable {
        let thread: NamespaceThread
        let socket: OpaquePointer
        let lock = NSLock()
        var indexes: [String: Int32] = [:]
        init(thread: NamespaceThread, socket: OpaquePointer) {
            self.thread = thread
            self.socket = socket
        }
    }

    private let sessions = Mutex<[String: Session]>([:])

    public init() {}

    deinit {
        sessions.withLock { for session in $0.values { nl_socket_free(session.socket) } }
    }

    public func attach(_ thread: NamespaceThread) throws {
        let name = thread.namespace.name
        if sessions.withLock({ $0[name] != nil }) { return }
        let socket = try thread.run { try Self.connectedSocket(namespace: name) }
        let session = Session(thread: thread, socket: socket)
        let kept = sessions.withLock { sessions -> Bool in
            guard sessions[name] == nil else { return false }
            sessions[name] = session
            return true
        }
        if !kept { nl_socket_free(socket) }
    }

    public func detach(_ namespace: NetworkNamespace) {
        guard let session = sessions.withLock({ $0.removeValue(forKey: namespace.name) }) else { return }
        session.lock.withLock { nl_socket_free(session.socket) }
    }

    /// Opens an rtnetlink socket in the calling thread's namespace.
    static func connectedSocket(namespace: String) throws -> OpaquePointer {
        guard let socket = nl_socket_alloc() else {
            throw NetlinkRequest(.allocateSocket, "netlink socket", in: namespace).failure(-Int32(NLE_NOMEM))
        }
        let result = nl_connect(socket, Int32(NETLINK_ROUTE))
        if result < 0 {
            nl_socket_free(socket)
            try NetlinkRequest(.connectSocket, "rtnetlink socket", in: namespace).check(result)
        }
        // One recvmsg per reply instead of a MSG_PEEK to size the buffer first: a third fewer
        // system calls per request. 32 KiB holds the largest dump chunk the kernel sends.
        nl_socket_disable_msg_peek(socket)
        _ = nl_socket_set_msg_buf_size(socket, 32768)
        return socket
    }

    func session(_ request: NetlinkRequest) throws -> Session {
        guard let s = sessions.withLock({ $0[request.namespace] }) else {
            throw request.failure(-Int32(NLE_BAD_SOCK), "namespace not attached")
        }
        return s
    }

    // MARK: Links

    public func addVethPair(_ pair: VethPair, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.addLink, pair, in: namespace)
        try Self.validateDeviceName(pair.name, request)
        try Self.validateDeviceName(pair.peerName, request)
        let s = try session(request)
        var peerFD: Int32 = -1
        if let peerNamespace = pair.peerNamespace {
            peerFD = open(peerNamespace.path, O_RDONLY | O_CLOEXEC)
            guard peerFD >= 0 else { throw SystemCallError("opening namespace", peerNamespace.path) }
        }
        defer { if peerFD >= 0 { close(peerFD) } }
        guard let link = rtnl_link_veth_alloc() else { throw Self.noMemory(request) }
        defer { rtnl_link_put(link) }
        rtnl_link_set_name(link, pair.name)
        let peer = rtnl_link_veth_get_peer(link)
        defer { rtnl_link_put(peer) }
        rtnl_link_set_name(peer, pair.peerName)
        if peerFD >= 0 { rtnl_link_set_ns_fd(peer, peerFD) }
        if pair.up { rtnl_link_set_flags(link, Self.interfaceUp) }
        try s.lock.withLock {
            s.indexes[pair.name] = nil
            try request.check(rtnl_link_add(s.socket, link, NLM_F_CREATE | NLM_F_EXCL))
        }
        if pair.peerNamespace == nil {
            s.lock.withLock { s.indexes[pair.peerName] = nil } as Void
        } else if let p = pair.peerNamespace, let other = sessions.withLock({ $0[p.name] }) {
            other.lock.withLock { other.indexes[pair.peerName] = nil } as Void
        }
    }

    public func setLinkUp(_ device: String, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.setLinkUp, link: device, in: namespace)
        try Self.validateDeviceName(device, request)
        let s = try session(request)
        // Addressed by name (ifindex 0 + IFLA_IFNAME): one request, no lookup.
        guard let orig = rtnl_link_alloc(), let changes = rtnl_link_alloc() else {
            throw Self.noMemory(request)
        }
        defer { rtnl_link_put(orig); rtnl_link_put(changes) }
        rtnl_link_set_name(orig, device)
        rtnl_link_set_name(changes, device)
        rtnl_link_set_flags(changes, Self.interfaceUp)
        _ = try s.lock.withLock {
            try request.check(rtnl_link_change(s.socket, orig, changes, 0))
        }
    }

    public func interfaceIndex(of device: String, in namespace: NetworkNamespace) throws -> Int32 {
        let s = try session(NetlinkRequest(.lookUpLink, link: device, in: namespace))
        return try s.lock.withLock { try Self.index(of: device, s, namespace) }
    }

    /// Call with `s.lock` held.
    static func index(of device: String, _ s: Session, _ namespace: NetworkNamespace) throws -> Int32 {
        if let known = s.indexes[device] { return known }
        let request = NetlinkRequest(.lookUpLink, link: device, in: namespace)
        try validateDeviceName(device, request)
        var link: OpaquePointer?
        try request.check(rtnl_link_get_kernel(s.socket, 0, device, &link))
        defer { rtnl_link_put(link) }
        let index = rtnl_link_get_ifindex(link)
        s.indexes[device] = index
        return index
    }

    // MARK: Addresses and routes

    public func addAddress(_ address: InterfaceAddress, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.addAddress, address, in: namespace)
        let s = try session(request)
        try s.lock.withLock {
            let index = try Self.index(of: address.device, s, namespace)
            guard let addr = rtnl_addr_alloc() else { throw Self.noMemory(request) }
            defer { rtnl_addr_put(addr) }
            rtnl_addr_set_family(addr, AF_INET)
            rtnl_addr_set_ifindex(addr, index)
            let local = try Self.nlAddress(address.prefix, request)
            defer { nl_addr_put(local) }
            try request.check(rtnl_addr_set_local(addr, local))
            rtnl_addr_set_prefixlen(addr, Int32(address.prefix.length))
            try request.check(rtnl_addr_add(s.socket, addr, NLM_F_CREATE | NLM_F_EXCL))
        }
    }

    public func addRoute(_ route: Route, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.addRoute, route, in: namespace)
        let s = try session(request)
        try s.lock.withLock {
            let r = try Self.routeObject(route, s, request, namespace)
            defer { rtnl_route_put(r) }
            try request.check(rtnl_route_add(s.socket, r, NLM_F_CREATE | NLM_F_EXCL))
        }
    }

    public func deleteRoute(_ route: Route, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.deleteRoute, route, in: namespace)
        let s = try session(request)
        try s.lock.withLock {
            let r: OpaquePointer
            do {
                r = try Self.routeObject(route, s, request, namespace)
            } catch let error as NetlinkError where error.isNotFound {
                return  // its device is gone, so is the route
            }
            defer { rtnl_route_put(r) }
            do {
                try request.check(rtnl_route_delete(s.socket, r, 0))
            } catch let error as NetlinkError where error.isNotFound {
                _ = error  // already gone: healing twice is fine
            }
        }
    }

    /// Call with `s.lock` held.
    private static func routeObject(_ route: Route, _ s: Session, _ request: NetlinkRequest, _ namespace: NetworkNamespace) throws -> OpaquePointer {
        // libnl sends whatever it is given; refuse what the kernel would misread.
        if route.type == .unicast && route.device == nil {
            throw request.failure(-Int32(NLE_INVAL), "a unicast route needs a device")
        }
        let index = try route.device.map { try Self.index(of: $0, s, namespace) }
        guard let r = rtnl_route_alloc() else { throw Self.noMemory(request) }
        do {
            _ = rtnl_route_set_family(r, UInt8(AF_INET))
            rtnl_route_set_table(r, 254)  // RT_TABLE_MAIN
            rtnl_route_set_scope(r, route.scope.rawValue)
            _ = rtnl_route_set_type(r, route.type.rawValue)
            rtnl_route_set_protocol(r, 3)  // RTPROT_BOOT, as `ip route add`
            if route.metric != 0 { rtnl_route_set_priority(r, route.metric) }
            let dst = try Self.nlAddress(route.destination, request)
            defer { nl_addr_put(dst) }
            try request.check(rtnl_route_set_dst(r, dst))
            if let index {
                guard let hop = rtnl_route_nh_alloc() else { throw Self.noMemory(request) }
                rtnl_route_nh_set_ifindex(hop, index)
                if let gateway = route.gateway {
                    let gw = try Self.nlAddress(IPv4Prefix(address: gateway), request)
                    defer { nl_addr_put(gw) }
                    rtnl_route_nh_set_gateway(hop, gw)
                }
                if route.onlink { rtnl_route_nh_set_flags(hop, 4) }  // RTNH_F_ONLINK
                rtnl_route_add_nexthop(r, hop)  // the route now owns the hop
            }
        } catch {
            rtnl_route_put(r)
            throw error
        }
        return r
    }

    // MARK: FIB rules

    public func addRule(_ rule: FIBRule, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.addRule, rule, in: namespace)
        let s = try session(request)
        try s.lock.withLock {
            let r = try Self.ruleObject(rule, request)
            defer { rtnl_rule_put(r) }
            try request.check(rtnl_rule_add(s.socket, r, NLM_F_EXCL))
        }
    }

    public func deleteRule(_ rule: FIBRule, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.deleteRule, rule, in: namespace)
        let s = try session(request)
        try s.lock.withLock {
            let r = try Self.ruleObject(rule, request)
            defer { rtnl_rule_put(r) }
            do {
                try request.check(rtnl_rule_delete(s.socket, r, 0))
            } catch let error as NetlinkError where error.isNotFound {
                _ = error
                // Already gone: healing twice is fine.
            }
        }
    }

    public func rules(in namespace: NetworkNamespace) throws -> [String] {
        let s = try session(NetlinkRequest(.list, "FIB rules", in: namespace.name))
        return try s.lock.withLock { try Self.dump(s.socket, .rules, namespace.name) }
    }

    private static func ruleObject(_ rule: FIBRule, _ request: NetlinkRequest) throws -> OpaquePointer {
        // libnl sends whatever it is given; refuse what the kernel would misread.
        if case .lookup(let table) = rule.action, table == 0 {
            throw request.failure(-Int32(NLE_INVAL), "table 0")
        }
        guard let r = rtnl_rule_alloc() else { throw noMemory(request) }
        rtnl_rule_set_family(r, AF_INET)
        rtnl_rule_set_prio(r, rule.priority)
        switch rule.action {
        case .blackhole: rtnl_rule_set_action(r, UInt8(FR_ACT_BLACKHOLE))
        case .prohibit: rtnl_rule_set_action(r, UInt8(FR_ACT_PROHIBIT))
        case .unreachable: rtnl_rule_set_action(r, UInt8(FR_ACT_UNREACHABLE))
        case .lookup(let table):
            rtnl_rule_set_action(r, UInt8(FR_ACT_TO_TBL))
            rtnl_rule_set_table(r, table)
        }
        do {
            if let source = rule.source {
                let a = try nlAddress(source, request)
                defer { nl_addr_put(a) }
                try request.check(rtnl_rule_set_src(r, a))
            }
            if let destination = rule.destination {
                let a = try nlAddress(destination, request)
                defer { nl_addr_put(a) }
                try request.check(rtnl_rule_set_dst(r, a))
            }
        } catch {
            rtnl_rule_put(r)
            throw error
        }
        return r
    }

    // MARK: Sysctl

    public func setSysctl(_ key: String, to value: String, in namespace: NetworkNamespace) throws {
        guard !key.contains(".."), !key.hasPrefix("/") else {
            throw SystemCallError("writing sysctl", key, errno: EINVAL)
        }
        let s = try session(NetlinkRequest(.writeSysctl, key, in: namespace.name))
        // /proc/sys/net resolves to the opening thread's namespace, hence the hop.
        try s.thread.run {
            let path = "/proc/sys/\(key)"
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SystemCallError("opening sysctl in \(namespace.name)", path) }
            defer { close(fd) }
            let bytes = Array((value + "\n").utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else {
                throw SystemCallError("writing sysctl in \(namespace.name)", "\(path)=\(value)")
            }
        }
    }

    // MARK: Reading

    enum DumpKind: CaseIterable { case links, addresses, routes, rules, qdiscs }

    /// Links, addresses, routes and rules of the calling thread's namespace, one line each as
    /// libnl prints them. Read-only; used to show that the root namespace is left untouched.
    /// Equivalent to: `ip link; ip address; ip route show table all; ip rule`.
    public static func snapshotOfCallingThreadNamespace() throws -> [String] {
        let socket = try connectedSocket(namespace: "(calling thread)")
        defer { nl_socket_free(socket) }
        return try [DumpKind.links, .addresses, .routes, .rules].flatMap { try dump(socket, $0, "(calling thread)") }
    }

    static func dump(_ socket: OpaquePointer, _ kind: DumpKind, _ namespace: String) throws -> [String] {
        var cache: OpaquePointer?
        let result: Int32
        switch kind {
        case .links: result = rtnl_link_alloc_cache(socket, AF_UNSPEC, &cache)
        case .addresses: result = rtnl_addr_alloc_cache(socket, &cache)
        case .routes: result = rtnl_route_alloc_cache(socket, AF_UNSPEC, 0, &cache)
        case .rules: result = rtnl_rule_alloc_cache(socket, AF_INET, &cache)
        case .qdiscs: result = rtnl_qdisc_alloc_cache(socket, &cache)
        }
        try NetlinkRequest(.list, "\(kind)", in: namespace).check(result)
        defer { nl_cache_free(cache) }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        var object = nl_cache_get_first(cache)
        while let o = object {
            buffer.withUnsafeMutableBufferPointer { nl_object_dump_buf(o, $0.baseAddress, $0.count) }
            let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.trimmingCharacters(in: .whitespacesAndNewlines)
            lines.append("\(kind): \(text)")
            object = nl_cache_get_next(o)
        }
        return lines
    }

    // MARK: Helpers

    private static let interfaceUp: UInt32 = 0x1  // IFF_UP

    private static func nlAddress(_ prefix: IPv4Prefix, _ request: NetlinkRequest) throws -> OpaquePointer {
        let bytes = prefix.networkBytes
        guard let a = nl_addr_build(AF_INET, bytes, 4) else { throw noMemory(request) }
        nl_addr_set_prefixlen(a, Int32(prefix.length))
        return a
    }

    static func noMemory(_ request: NetlinkRequest) -> NetlinkError {
        request.failure(-Int32(NLE_NOMEM))
    }

    /// The kernel's rule for interface names (IFNAMSIZ − 1 bytes, no `/`, `:` or whitespace).
    static func validateDeviceName(_ name: String, _ request: NetlinkRequest) throws {
        let bytes = Array(name.utf8)
        let bad = bytes.isEmpty || bytes.count > 15 || name == "." || name == ".."
            || bytes.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 }
        if bad {
            throw request.failure(-Int32(NLE_INVAL), "invalid interface name \"\(name)\"")
        }
    }
}
