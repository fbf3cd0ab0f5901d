import CNetlink
import Glibc
import LinuxSystem

/// Qdiscs, HTB classes and u32 filters through libnl (`rtnl_qdisc_*`, `rtnl_class_*`, `rtnl_cls_*`).
///
/// libnl's `TC_CAST` macro does not import; every `rtnl_qdisc`/`rtnl_class`/`rtnl_cls` is also an
/// `rtnl_tc`, and all of them arrive in Swift as `OpaquePointer`, so they pass as they are.
extension LibNLBackend {
    public func addQdisc(_ qdisc: Qdisc, in namespace: NetworkNamespace) throws {
        let what = "\(qdisc.kindName) qdisc on \(qdisc.device)"
        try withSession(namespace, "adding", what) { s in
            let q = try Self.qdiscObject(qdisc, s, "adding", namespace)
            defer { rtnl_qdisc_put(q) }
            try Self.configure(q, qdisc.kind, "adding", what, namespace)
            try NetlinkError.check(rtnl_qdisc_add(s.socket, q, NLM_F_CREATE), "adding", what, in: namespace.name)
        }
    }

    public func deleteQdisc(_ qdisc: Qdisc, in namespace: NetworkNamespace) throws {
        let what = "\(qdisc.kindName) qdisc on \(qdisc.device)"
        try withSession(namespace, "deleting", what) { s in
            try Self.ignoringAbsence {
                let q = try Self.qdiscObject(qdisc, s, "deleting", namespace)
                defer { rtnl_qdisc_put(q) }
                try NetlinkError.check(rtnl_qdisc_delete(s.socket, q), "deleting", what, in: namespace.name)
            }
        }
    }

    public func addTrafficClass(_ trafficClass: TrafficClass, in namespace: NetworkNamespace) throws {
        let what = "htb class \(trafficClass.classID) on \(trafficClass.device)"
        try withSession(namespace, "adding", what) { s in
            let c = try Self.classObject(trafficClass, s, "adding", namespace)
            defer { rtnl_class_put(c) }
            // The 32-bit setters would cap at 4 GB/s; the 64-bit ones take any rate.
            try NetlinkError.check(rtnl_htb_set_rate64(c, trafficClass.bytesPerSecond), "adding", what, in: namespace.name)
            try NetlinkError.check(rtnl_htb_set_ceil64(c, trafficClass.bytesPerSecond), "adding", what, in: namespace.name)
            try NetlinkError.check(rtnl_class_add(s.socket, c, NLM_F_CREATE), "adding", what, in: namespace.name)
        }
    }

    public func deleteTrafficClass(_ trafficClass: TrafficClass, in namespace: NetworkNamespace) throws {
        let what = "htb class \(trafficClass.classID) on \(trafficClass.device)"
        try withSession(namespace, "deleting", what) { s in
            try Self.ignoringAbsence {
                let c = try Self.classObject(trafficClass, s, "deleting", namespace)
                defer { rtnl_class_put(c) }
                try NetlinkError.check(rtnl_class_delete(s.socket, c), "deleting", what, in: namespace.name)
            }
        }
    }

    public func addFilter(_ filter: U32Filter, in namespace: NetworkNamespace) throws {
        let what = "u32 filter \(filter.source)→\(filter.destination) on \(filter.device)"
        try withSession(namespace, "adding", what) { s in
            let f = try Self.filterObject(filter, s, "adding", namespace)
            defer { rtnl_cls_put(f) }
            // Offsets into the IPv4 header: source address at 12, destination at 16.
            try NetlinkError.check(rtnl_u32_add_key_uint32(f, filter.source.address, 0xFFFF_FFFF, 12, 0), "adding", what, in: namespace.name)
            try NetlinkError.check(rtnl_u32_add_key_uint32(f, filter.destination.address, 0xFFFF_FFFF, 16, 0), "adding", what, in: namespace.name)
            try NetlinkError.check(rtnl_u32_set_classid(f, filter.flow.value), "adding", what, in: namespace.name)
            // Without TC_U32_TERMINAL a match falls through and the flowid is never taken (`tc` sets it).
            try NetlinkError.check(rtnl_u32_set_cls_terminal(f), "adding", what, in: namespace.name)
            try NetlinkError.check(rtnl_cls_add(s.socket, f, NLM_F_CREATE), "adding", what, in: namespace.name)
        }
    }

    public func deleteFilter(_ filter: U32Filter, in namespace: NetworkNamespace) throws {
        let what = "u32 filters of priority \(filter.priority) on \(filter.device)"
        try withSession(namespace, "deleting", what) { s in
            try Self.ignoringAbsence {
                let f = try Self.filterObject(filter, s, "deleting", namespace)
                defer { rtnl_cls_put(f) }
                try NetlinkError.check(rtnl_cls_delete(s.socket, f, 0), "deleting", what, in: namespace.name)
            }
        }
    }

    public func qdiscs(in namespace: NetworkNamespace) throws -> [String] {
        try withSession(namespace, "listing", "qdiscs") { s in try Self.dump(s.socket, .qdiscs, namespace.name) }
    }

    // MARK: Objects

    private func withSession<T>(_ namespace: NetworkNamespace, _ operation: String, _ what: String, _ body: (Session) throws -> T) throws -> T {
        let s = try session(namespace, operation, what)
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
                               kind: String, _ s: Session, _ operation: String, _ namespace: NetworkNamespace) throws {
        rtnl_tc_set_ifindex(tc, try index(of: device, s, namespace))
        rtnl_tc_set_parent(tc, parent.value)
        if let handle { rtnl_tc_set_handle(tc, handle.value) }
        try NetlinkError.check(rtnl_tc_set_kind(tc, kind), operation, "\(kind) on \(device)", in: namespace.name)
    }

    private static func qdiscObject(_ qdisc: Qdisc, _ s: Session, _ operation: String, _ namespace: NetworkNamespace) throws -> OpaquePointer {
        guard let q = rtnl_qdisc_alloc() else { throw noMemory(operation, "qdisc", namespace) }
        do {
            try fillTC(q, device: qdisc.device, parent: qdisc.parent, handle: qdisc.handle, kind: qdisc.kindName, s, operation, namespace)
        } catch {
            rtnl_qdisc_put(q)
            throw error
        }
        return q
    }

    private static func classObject(_ c: TrafficClass, _ s: Session, _ operation: String, _ namespace: NetworkNamespace) throws -> OpaquePointer {
        guard let o = rtnl_class_alloc() else { throw noMemory(operation, "class", namespace) }
        do {
            try fillTC(o, device: c.device, parent: c.parent, handle: c.classID, kind: "htb", s, operation, namespace)
        } catch {
            rtnl_class_put(o)
            throw error
        }
        return o
    }

    private static func filterObject(_ f: U32Filter, _ s: Session, _ operation: String, _ namespace: NetworkNamespace) throws -> OpaquePointer {
        guard let o = rtnl_cls_alloc() else { throw noMemory(operation, "filter", namespace) }
        do {
            try fillTC(o, device: f.device, parent: f.parent, handle: nil, kind: "u32", s, operation, namespace)
            rtnl_cls_set_prio(o, f.priority)
            rtnl_cls_set_protocol(o, 0x0800)  // ETH_P_IP
        } catch {
            rtnl_cls_put(o)
            throw error
        }
        return o
    }

    /// Sets the kind's parameters. libnl sends what it is given, so netem's values are checked first.
    private static func configure(_ q: OpaquePointer, _ kind: Qdisc.Kind, _ operation: String, _ what: String, _ namespace: NetworkNamespace) throws {
        switch kind {
        case .htb(let defaultClass):
            try NetlinkError.check(rtnl_htb_set_defcls(q, UInt32(defaultClass)), operation, what, in: namespace.name)
        case .tbf(let rate, let burst, let limit):
            rtnl_qdisc_tbf_set_limit(q, Int32(clamping: limit))
            rtnl_qdisc_tbf_set_rate(q, Int32(clamping: rate), Int32(clamping: burst), 0)
        case .netem(let n):
            let probabilities = [n.loss, n.duplicate, n.corrupt, n.reorder, n.delayCorrelation]
            guard probabilities.allSatisfy({ (0...1).contains($0) }) else {
                throw NetlinkError(operation: operation, object: "\(what) (a probability outside 0…1)", namespace: namespace.name, code: -Int32(NLE_INVAL))
            }
            rtnl_netem_set_limit(q, Int32(clamping: n.limit))
            rtnl_netem_set_delay(q, Int32(clamping: n.delayMicroseconds))
            if n.jitterMicroseconds > 0 { rtnl_netem_set_jitter(q, Int32(clamping: n.jitterMicroseconds)) }
            if n.delayCorrelation > 0 { rtnl_netem_set_delay_correlation(q, probability(n.delayCorrelation)) }
            if let d = n.distribution {
                guard let table = NetemDistribution.path(of: d) else {
                    throw NetlinkError(operation: operation, object: "\(what) (distribution \(d): no \(d).dist in \(NetemDistribution.folders.joined(separator: ", ")); apt-get install iproute2)",
                                       namespace: namespace.name, code: -Int32(NLE_OBJ_NOTFOUND))
                }
                try NetlinkError.check(rtnl_netem_set_delay_distribution(q, table), operation, "\(what) (distribution \(table))", in: namespace.name)
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
