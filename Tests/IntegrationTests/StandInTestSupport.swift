import FaultlineCore
import Faults
import Foundation
import LinuxSystem
import RunHistory
import ScenarioFormat
import Services
import Testbed

/// A testbed with stand-ins: `api` runs the service, `client` runs real clients against it.
enum StandInFixture {
    /// A testbed with `api` running `service` and a `client` host; stopped and removed after `body`.
    /// With `tls`, the stand-in serves TLS from a certificate authority made for the test, whose
    /// certificate is in `Bed.authority`.
    static func withStandIn<T>(_ service: Service, tls: ServiceTLS? = nil, _ body: (Bed) throws -> T) throws -> T {
        try TopologyFixture.withTopology(["api", "client"]) { topology in
            let history = History(clock: { TimeSpan(nanoseconds: Int64(RunClock.monotonicNow())) })
            let services = StandInServices()
            defer { services.stop() }
            var authority: String?
            var certificates: RunCertificates?
            if tls != nil {
                let made = try RunCertificates(runID: "test")
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("fl-ca-\(UUID().uuidString).pem").path
                try made.writeAuthority(to: path)
                (authority, certificates) = (path, made)
            }
            defer { if let authority { try? FileManager.default.removeItem(atPath: authority) } }
            try services.start(service, host: "api", tls: tls, certificates: certificates, topology: topology, history: history)
            return try body(Bed(topology: topology, services: services, history: history, authority: authority))
        }
    }

    /// One stand-in testbed: the hosts, the running services, the history they record into.
    struct Bed {
        var topology: Topology
        var services: StandInServices
        var history: History
        /// The test authority's certificate file, when the stand-in serves TLS.
        var authority: String?

        var api: String { (try? topology.address(of: "api").description) ?? "" }

        /// Runs a shell command in the client's namespace; its exit status and standard output.
        func client(_ command: String) throws -> (status: Int32, output: String) {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("fl-svc-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let outcome = try topology.thread(of: "client").run {
                try ExternalCommand.run("/bin/sh", ["-c", "(\(command)) > \(out)"])
            }
            return (outcome.status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
        }

        /// Applies an http fault through the fault engine, as the runner does.
        func apply(_ fault: HTTPFault, name: String = "f") throws -> any FaultEffect {
            let effect = try FaultEngine.make(
                fault: Fault(name: name, at: .zero, kind: .http(fault)), topology: topology,
                hosts: HostFaultContext(services: services.targets))
            try effect.apply()
            return effect
        }

        /// Applies a tls fault through the fault engine, as the runner does.
        func apply(_ fault: TLSFault, name: String = "f") throws -> any FaultEffect {
            let effect = try FaultEngine.make(
                fault: Fault(name: name, at: .zero, kind: .tls(fault)), topology: topology,
                hosts: HostFaultContext(services: services.targets, tls: services.tlsTargets))
            try effect.apply()
            return effect
        }

        /// The stand-in's own record of its TLS connections' steps.
        var served: [ConnectionEvent] {
            history.events.compactMap { if case .connection(let c) = $0.kind, c.via != nil { c } else { nil } }
        }

        var responses: [(t: TimeSpan, event: HTTPResponseEvent)] {
            history.events.compactMap { if case .httpResponse(let r) = $0.kind { ($0.t, r) } else { nil } }
        }

        var requests: [HTTPRequestEvent] {
            history.events.compactMap { if case .httpRequest(let r) = $0.kind { r } else { nil } }
        }
    }
}
