import ScenarioFormat
import Services

/// Turns a `tls:` fault into the rule its target stand-in applies. Pure: no stand-in is touched.
public enum TLSFaultPlanner {
    /// The rule for `fault` (named after it), checked against the hosts whose stand-ins serve TLS.
    ///
    /// - Throws: ``FaultError`` when the target serves no TLS.
    public static func plan(_ fault: TLSFault, name: String, servingTLS hosts: Set<String>) throws -> TLSFaultRule {
        guard hosts.contains(fault.target) else { throw FaultError(.noTLSService(fault.target)) }
        return TLSFaultRule(name: name, action: fault.action)
    }
}
