import LinuxSystem

/// Each object named once, in `ip`'s and `tc`'s words, for ``LibNLBackend`` and ``RecordingBackend`` alike.
extension NetlinkRequest {
    init(_ operation: NetlinkOperation, link device: String, in namespace: NetworkNamespace) {
        self.init(operation, "link \(device)", in: namespace.name)
    }

    init(_ operation: NetlinkOperation, _ pair: VethPair, in namespace: NetworkNamespace) {
        self.init(operation, "veth pair \(pair.name)/\(pair.peerName)", in: namespace.name)
    }

    init(_ operation: NetlinkOperation, _ address: InterfaceAddress, in namespace: NetworkNamespace) {
        self.init(operation, "address \(address.prefix) on \(address.device)", in: namespace.name)
    }

    init(_ operation: NetlinkOperation, _ route: Route, in namespace: NetworkNamespace) {
        self.init(operation, "route \(route)", in: namespace.name)
    }

    init(_ operation: NetlinkOperation, _ rule: FIBRule, in namespace: NetworkNamespace) {
        self.init(operation, rule.description, in: namespace.name)
    }

    init(_ operation: NetlinkOperation, _ qdisc: Qdisc, in namespace: NetworkNamespace) {
        self.init(operation, "\(qdisc.kindName) qdisc on \(qdisc.device)", in: namespace.name)
    }

    init(_ operation: NetlinkOperation, _ trafficClass: TrafficClass, in namespace: NetworkNamespace) {
        self.init(operation, "htb class \(trafficClass.classID) on \(trafficClass.device)", in: namespace.name)
    }

    /// A delete removes every filter of the priority, so it names them by that.
    init(_ operation: NetlinkOperation, _ filter: U32Filter, in namespace: NetworkNamespace) {
        let object = operation == .deleteFilter
            ? "u32 filters of priority \(filter.priority) on \(filter.device)"
            : "u32 filter \(filter.source)→\(filter.destination) on \(filter.device)"
        self.init(operation, object, in: namespace.name)
    }
}
