import CNetlink
import Glibc
import LinuxSystem

/// Qdiscs, HTB classes and u32 filters through libnl (`rtnl_qdisc_*`, `rtnl_class_*`, `rtnl_cls_*`).
///
/// libnl's `TC_CAST` macro does not import; every `rtnl_qdisc`/`rtnl_class`/`rtnl_cls` is also an
/// `rtnl_tc`, and all of them arrive in Swift as `OpaquePointer`, so they pass as they are.
extension LibNLBackend {
    public func addQdisc(_ qdisc: Qdisc, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.addQdisc, qdisc, in: namespace)
        try withSession(request) { s in
            let q = try Self.qdiscObject(qdisc, s, request, namespace)
            defer { rtnl_qdisc_put(q) }
            try Self.configure(q, qdisc.kind, request)
            try request.check(rtnl_qdisc_add(s.socket, q, NLM_F_CREATE))
        }
    }

    public func deleteQdisc(_ qdisc: Qdisc, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.deleteQdisc, qdisc, in: namespace)
        try withSession(request) { s in
            try Self.ignoringAbsence {
                let q = try Self.qdiscObject(qdisc, s, request, namespace)
                defer { rtnl_qdisc_put(q) }
                try request.check(rtnl_qdisc_delete(s.socket, q))
            }
        }
    }

    public func addTrafficClass(_ trafficClass: TrafficClass, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.addClass, trafficClass, in: namespace)
        try withSession(request) { s in
            let c = try Self.classObject(trafficClass, s, request, namespace)
            defer { rtnl_class_put(c) }
            // The 32-bit setters would cap at 4 GB/s; the 64-bit ones take any rate.
            try request.check(rtnl_htb_set_rate64(c, trafficClass.bytesPerSecond))
            try request.check(rtnl_htb_set_ceil64(c, trafficClass.bytesPerSecond))
            try request.check(rtnl_class_add(s.socket, c, NLM_F_CREATE))
        }
    }

    public func deleteTrafficClass(_ trafficClass: TrafficClass, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.deleteClass, trafficClass, in: namespace)
        try withSession(request) { s in
            try Self.ignoringAbsence {
                let c = try Self.classObject(trafficClass, s, request, namespace)
                defer { rtnl_class_put(c) }
                try request.check(rtnl_class_delete(s.socket, c))
            }
        }
    }

    public func addFilter(_ filter: U32Filter, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.addFilter, filter, in: namespace)
        try withSession(request) { s in
            let f = try Self.filterObject(filter, s, request, namespace)
            defer { rtnl_cls_put(f) }
            // Offsets into the IPv4 header: source address at 12, destination at 16.
            try request.check(rtnl_u32_add_key_uint32(f, filter.source.address, 0xFFFF_FFFF, 12, 0))
            try request.check(rtnl_u32_add_key_uint32(f, filter.destination.address, 0xFFFF_FFFF, 16, 0))
            try request.check(rtnl_u32_set_classid(f, filter.flow.value))
            // Without TC_U32_TERMINAL a match falls through and the flowid is never taken (`tc` sets it).
            try request.check(rtnl_u32_set_cls_terminal(f))
            try request.check(rtnl_cls_add(s.socket, f, NLM_F_CREATE))
        }
    }

    public func deleteFilter(_ filter: U32Filter, in namespace: NetworkNamespace) throws {
        let request = NetlinkRequest(.deleteFilter, filter, in: namespace)
        try withSession(request) { s in
            try Self.ignoringAbsence {
                let f = try Self.filterObject(filter, s, request, namespace)
                defer { rtnl_cls_put(f) }
                try request.check(rtnl_cls_delete(s.socket, f, 0))
            }
        }
    }

    public func qdiscs(in namespace: NetworkNamespace) throws -> [String] {
        try withSession(NetlinkRequest(.list, "qdiscs", in: namespace.name)) { s in try Self.dump(s.socket, .qdiscs, namespace.name) }
    }

    // MARK: Objects

    private func withSession<T>(_ request: NetlinkRequest, _ body: (Session) throws -> T) throws -> T {
        let s = try session(request)
        return try s.lock.withLock { try body(s) }
    }

    /// Runs `body`; a "not found" (the object or its device is gone) is success, so heals are idempotent.
    private static func ignoringAbsence(_ body: () throws -> Void) throws {
        do { try body() } catch let error as NetlinkError where error.isNotFound || error.code == -Int32(NLE_INVAL) {
            _ = error
        }
    }

    /// A qdisc, class or filter's common part: device, parent, handle and kind. Call with `s.lock` held.
    private static func fillTC(_ tc: OpaquePointer, device: String, parent: TrafficControlHandle, handle: TrafficControlHandle?,
                               kind: String, _ s: Session, _ request: NetlinkRequest, _ namespace: NetworkNamespace) throws {
        rtnl_tc_set_ifindex(tc, try index(of: device, s, namespace))
        rtnl_tc_set_parent(tc, parent.value)
        if let handle { rtnl_tc_set_handle(tc, handle.value) }
        try request.about("\(kind) on \(device)").check(rtnl_tc_set_kind(tc, kind))
    }

    private static func qdiscObject(_ qdisc: Qdisc, _ s: Session, _ request: NetlinkRequest, _ namespace: NetworkNamespace) throws -> OpaquePointer {
        guard let q = rtnl_qdisc_alloc() else { throw noMemory(request.about("qdisc")) }
        do {
            try fillTC(q, device: qdisc.device, parent: qdisc.parent, handle: qdisc.handle, kind: qdisc.kindName, s, request, namespace)
        } catch {
            rtnl_qdisc_put(q)
            throw error
        }
        return q
    }

    private static func classObject(_ c: TrafficClass, _ s: Session, _ request: NetlinkRequest, _ namespace: NetworkNamespace) throws -> OpaquePointer {
        guard let o = rtnl_class_alloc() else { throw noMemory(request.about("class")) }
        do {
            try fillTC(o, device: c.device, parent: c.parent, handle: c.classID, kind: "htb", s, request, namespace)
        } catch {
            rtnl_class_put(o)
            throw error
        }
        return o
    }

    private static func filterObject(_ f: U32Filter, _ s: Session, _ request: NetlinkRequest, _ namespace: NetworkNamespace) throws -> OpaquePointer {
        guard let o = rtnl_cls_alloc() else { throw noMemory(request.about("filter")) }
        do {
            try fillTC(o, device: f.device, parent: f.parent, handle: nil, kind: "u32", s, request, namespace)
            rtnl_cls_set_prio(o, f.priority)
            rtnl_cls_set_protocol(o, 0x0800)  // ETH_P_IP
        } catch {
            rtnl_cls_put(o)
            throw error
        }
        return o
    }

    /// Sets the kind's parameters. libnl sends what it is given, so netem's values are checked first.
    private static func configure(_ q: OpaquePointer, _ kind: Qdisc.Kind, _ request: NetlinkRequest) throws {
        switch kind {
        case .htb(let defaultClass):
            try request.check(rtnl_htb_set_defcls(q, UInt32(defaultClass)))
        case .tbf(let rate, let burst, let limit):
            rtnl_qdisc_tbf_set_limit(q, Int32(clamping: limit))
            rtnl_qdisc_tbf_set_rate(q, Int32(clamping: rate), Int32(clamping: burst), 0)
        case .netem(let n):
            let probabilities = [n.loss, n.duplicate, n.corrupt, n.reorder, n.delayCorrelation]
            guard probabilities.allSatisfy({ (0...1).contains($0) }) else {
                throw request.failure(-Int32(NLE_INVAL), "a probability outside 0…1")
            }
            rtnl_netem_set_limit(q, Int32(clamping: n.limit))
            rtnl_netem_set_delay(q, Int32(clamping: n.delayMicroseconds))
            if n.jitterMicroseconds > 0 { rtnl_netem_set_jitter(q, Int32(clamping: n.jitterMicroseconds)) }
            if n.delayCorrelation > 0 { rtnl_netem_set_delay_correlation(q, probability(n.delayCorrelation)) }
            if let d = n.distribution {
                guard let table = NetemDistribution.path(of: d) else {
                    throw request.failure(-Int32(NLE_OBJ_NOTFOUND),
                                          "distribution \(d): no \(d).dist in \(NetemDistribution.folders.joined(separator: ", ")); apt-get install iproute2")
                }
                try request.about("\(request.object) (distribution \(table))").check(rtnl_netem_set_delay_distribution(q, table))
            }
            if n.loss > 0 { rtnl_netem_set_loss(q, probability(n.loss)) }
            if n.duplicate > 0 { rtnl_netem_set_duplicate(q, probability(n.duplicate)) }
            if n.corrupt > 0 { rtnl_netem_set_corruption_probability(q, probability(n.corrupt)) }
            if n.reorder > 0 {
                rtnl_netem_set_reorder_probability(q, probability(n.reorder))
                rtnl_netem_set_gap(q, Int32(clamping: n.gap))
            }
        }
    }

    /// netem's fixed-point probability: 0 … UINT32_MAX for 0 … 100 %, passed through libnl's `int`.
    private static func probability(_ fraction: Double) -> Int32 {
        Int32(bitPattern: UInt32((fraction * Double(UInt32.max)).rounded()))
    }
}
