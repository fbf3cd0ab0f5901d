import Foundation
import NIOCore
import NIOPosix
import RunHistory
import ScenarioFormat
import Testbed
import Synchronization

/// Every stand-in service of a run, started together on one event loop group and stopped together.
public final class StandInServices: Sendable {
    private let threads: Int
    /// Made at the first start, so a run without services starts no threads.
    private let running = Mutex<(group: MultiThreadedEventLoopGroup?, services: [String: any StandIn])>((nil, [:]))
    private let exchanges = ExchangeCounter()

    /// - Parameter threads: event loop threads (the stand-ins are light; one is plenty for tests).
    public init(threads: Int = 1) {
        self.threads = threads
    }

    /// Starts `service` for `host`, bound in the host's namespace, recording into `history`; with
    /// `tls`, it serves TLS with a certificate from `certificates`.
    @discardableResult
    public func start(
        _ service: Service, host: String, tls: ServiceTLS? = nil, certificates: RunCertificates? = nil,
        topology: Topology, history: History
    ) throws -> any StandIn {
        var names: [String: String] = [:]
        for h in topology.plan.hosts { names[h.address.description] = h.host }
        let recorder = ServiceRecorder(
            history: history, host: host, port: service.port, hostsByAddress: names, exchanges: exchanges,
            tls: tls != nil)
        var standInTLS: StandInTLS?
        if let tls {
            guard let certificates else {
                throw ServiceError(operation: "starting TLS on the \(host) service", underlying: RunCertificatesMissing())
            }
            standInTLS = try StandInTLS(
                host: host, tls: tls, address: withUnsafeBytes(of: try topology.address(of: host).value.bigEndian, Array.init),
                alpn: service.speaksGRPC ? ["h2"] : ["http/1.1"], certificates: certificates)
        }
        let loops = running.withLock { running in
            if let existing = running.group { return existing }
            let made = MultiThreadedEventLoopGroup(numberOfThreads: threads)
            running.group = made
            return made
        }
        let thread = try topology.thread(of: host)
        let standIn: any StandIn = switch service {
        case .http(let spec):
            try HTTPStandIn.start(host: host, port: spec.port, thread: thread, responder: RouteResponder(routes: spec.routes),
                                  recorder: recorder, group: loops, tls: standInTLS)
        case .consulKV(let spec):
            try HTTPStandIn.start(host: host, port: spec.port, thread: thread, responder: ConsulKVResponder(spec: spec),
                                  recorder: recorder, group: loops, tls: standInTLS)
        case .etcd(let spec):
            try GRPCStandIn.start(
                host: host, port: spec.port, thread: thread,
                responder: EtcdResponder(spec: spec, name: host, clientURL: "\(tls == nil ? "http" : "https")://\(host):\(spec.port)"),
                recorder: recorder, group: loops, tls: standInTLS)
        }
        running.withLock { $0.services[host] = standIn }
        return standIn
    }

    /// The running stand-in on `host`, if any.
    public func service(on host: String) -> (any StandIn)? { running.withLock { $0.services[host] } }

    /// The stand-ins by host, as fault targets.
    public var targets: [String: any HTTPFaultTarget] { running.withLock { $0.services.mapValues { $0 } } }

    /// The TLS sides of the stand-ins that serve TLS, by host, as TLS fault targets.
    public var tlsTargets: [String: StandInTLS] { running.withLock { $0.services.compactMapValues(\.tls) } }

    /// Stops every stand-in and the event loops. Idempotent.
    public func stop() {
        let (all, group) = running.withLock { running -> ([any StandIn], MultiThreadedEventLoopGroup?) in
            defer { running = (nil, [:]) }
            return (Array(running.services.values), running.group)
        }
        for s in all { s.stop() }
        try? group?.syncShutdownGracefully()
    }
}

/// A TLS stand-in was started without the run's certificates.
struct RunCertificatesMissing: Error, CustomStringConvertible {
    var description: String { "the run made no certificate authority" }
}
