import DNS
import Faults
import Netlink
import RunHistory
import ScenarioFormat
import Testbed

extension ScenarioRunner {
    /// Starts the scenario's DNS server in the router's namespace, on the router's address (which
    /// every host reaches) and on each `intercept:` address, which is added to the router's `lo`
    /// so packets to it from any host are delivered there. Stopped by the teardown stack.
    func startDNS() throws {
        guard let topology else { return }
        for address in scenario.dns.intercept {
            // Equivalent to: ip -n fl-<run>-router address add A/32 dev lo
            try topology.backend.addAddress(InterfaceAddress(address.prefix32, device: "lo"), in: topology.routerNamespace)
        }
        let zone = try DNSZone(hosts: addressMap, settings: scenario.dns)
        let addresses = [topology.routerAddress] + scenario.dns.intercept
        let server = try DNSServer.start(
            responder: DNSResponder(zone: zone), on: topology.routerThread, addresses: addresses,
            hosts: addressMap, history: history)
        state.withLock { state in
            state.dnsServer = server
            state.faultEnvironment.dnsRules = server.rules
        }
        teardown.push("stopping the DNS server") { server.stop() }
        let listening = addresses.map { "\($0):53" }.joined(separator: ", ")
        history.record(.note(message: "dns server on \(listening) (udp, tcp); zone: \(zone.names.joined(separator: ", "))"))
        progress("dns server on \(listening)")
    }
}
