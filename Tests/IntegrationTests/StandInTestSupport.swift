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
    static func withStandIn<T>(_ service: Service, _ body: (Bed) throws -> T) throws -> T {
        try TopologyFixture.withTopology(["api", "client"]) { topology in
            let history = History(clock: { TimeSpan(nanoseconds: Int64(RunClock.monotonicNow())) })
            let services = StandInServices()
            defer { services.stop() }
            try services.start(service, host: "api", topology: topology, history: history)
            return try body(Bed(topology: topology, services: services, history: history))
        }
    }

    /// One stand-in testbed: the hosts, the running services, the history they record into.
    struct Bed {
        var topology: Topology
        var services: StandInServices
        var history: History

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

        var responses: [(t: TimeSpan, event: HTTPResponseEvent)] {
            history.events.compactMap { if case .httpResponse(let r) = $0.kind { ($0.t, r) } else { nil } }
        }

        var requests: [HTTPRequestEvent] {
            history.events.compactMap { if case .httpRequest(let r) = $0.kind { r } else { nil } }
        }
    }
}
