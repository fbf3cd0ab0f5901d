import ScenarioFormat
import Services

/// Turns an `http:` fault into the rule its target service applies. Pure: no service is touched.
public enum HTTPFaultPlanner {
    /// The rule for `fault` (named after it), checked against the hosts that run a service.
    ///
    /// - Throws: ``FaultError`` when the target runs no stand-in service.
    public static func plan(_ fault: HTTPFault, name: String, servicesOn hosts: Set<String>) throws -> HTTPFaultRule {
        guard hosts.contains(fault.target) else { throw FaultError(.noService(fault.target)) }
        return HTTPFaultRule(name: name, fault: fault)
    }
}
