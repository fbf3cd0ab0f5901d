/// A running stand-in that HTTP faults can change: the one thing the fault engine needs from it.
public protocol HTTPFaultTarget: AnyObject, Sendable {
    /// The host the service runs on.
    var host: String { get }
    /// Starts applying a fault rule to the requests that follow.
    func install(_ rule: HTTPFaultRule)
    /// Stops applying the rule named `name`; idempotent.
    func removeRule(named name: String)
}

/// A running stand-in service of either kind (HTTP/1.1 or gRPC): a fault target that can stop.
public protocol StandIn: HTTPFaultTarget {
    var port: UInt16 { get }
    /// The faults applied now; every connection's handler consults them.
    var rules: HTTPFaultRules { get }
    /// Its TLS side, when it serves TLS: the certificate and the TLS faults applied now.
    var tls: StandInTLS? { get }
    /// Stops accepting connections; idempotent.
    func stop()
}

extension StandIn {
    public func install(_ rule: HTTPFaultRule) { rules.install(rule) }
    public func removeRule(named name: String) { rules.remove(named: name) }
}
