/// An HTB class: a share of a device's bandwidth that filters send packets to.
///
/// Equivalent to: `tc class add dev DEV parent P classid C htb rate R ceil R`.
public struct TrafficClass: Hashable, Sendable, CustomStringConvertible {
    public var device: String
    public var parent: TrafficControlHandle
    public var classID: TrafficControlHandle
    public var bytesPerSecond: UInt64

    public init(device: String, parent: TrafficControlHandle, classID: TrafficControlHandle, bytesPerSecond: UInt64) {
        self.device = device
        self.parent = parent
        self.classID = classID
        self.bytesPerSecond = bytesPerSecond
    }

    public var description: String {
        "dev \(device) parent \(parent) classid \(classID) htb rate \(bytesPerSecond * 8)bit ceil \(bytesPerSecond * 8)bit"
    }
}

/// A u32 filter sending IPv4 packets from one source to one destination to a class.
///
/// Equivalent to: `tc filter add dev DEV parent P protocol ip prio N u32 match ip src S/32
/// match ip dst D/32 flowid C`.
public struct U32Filter: Hashable, Sendable, CustomStringConvertible {
    public var device: String
    public var parent: TrafficControlHandle
    public var priority: UInt16
    public var source: IPv4Prefix
    public var destination: IPv4Prefix
    public var flow: TrafficControlHandle

    public init(device: String, parent: TrafficControlHandle, priority: UInt16, source: IPv4Prefix, destination: IPv4Prefix, flow: TrafficControlHandle) {
        self.device = device
        self.parent = parent
        self.priority = priority
        self.source = source
        self.destination = destination
        self.flow = flow
    }

    public var description: String {
        "dev \(device) parent \(parent) protocol ip prio \(priority) u32 match ip src \(source) match ip dst \(destination) flowid \(flow)"
    }
}
