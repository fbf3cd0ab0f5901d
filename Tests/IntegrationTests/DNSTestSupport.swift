import DNS
import FaultlineCore
import Faults
import Foundation
import Glibc
import LinuxSystem
import Netlink
import RunHistory
import ScenarioFormat
import Testbed

/// A testbed with the scenario DNS server running in the router, and a client host whose
/// programs resolve through it (its own /etc/hosts and resolv.conf, as the runner sets them up).
final class DNSTestbed {
    let topology: Topology
    let server: DNSServer
    let client: HostContext
    let history = History(clock: { TimeSpan(nanoseconds: Int64(RunClock.monotonicNow())) })
    private let filesDirectory: String

    static let intercept = IPv4Address(parsing: "203.0.113.53")!

    /// Builds it, runs `body`, and always tears everything down.
    static func with<T>(
        settings: DNSSettings = DNSTestbed.settings, resolver: ResolverOptions = ResolverOptions(timeout: .seconds(1), attempts: 2),
        _ body: (DNSTestbed) throws -> T
    ) throws -> T {
        try TopologyFixture.withTopology(["client", "api"]) { topology in
            let bed = try DNSTestbed(topology: topology, settings: settings, resolver: resolver)
            defer { bed.stop() }
            return try body(bed)
        }
    }

    static let settings = DNSSettings(
        records: [
            DNSRecordSpec(name: "consul.service.consul", ttl: .seconds(5), data: .a(.host("api"))),
            DNSRecordSpec(name: "_api._tcp.service.consul", data: .srv(priority: 1, weight: 1, port: 8500, target: "api")),
        ] + (0..<40).map { DNSRecordSpec(name: "big.service.consul", data: .a(.ipv4(IPv4Address(0xC612_0A00 + UInt32($0))))) },
        intercept: [intercept])

    private init(topology: Topology, settings: DNSSettings, resolver: ResolverOptions) throws {
        self.topology = topology
        var hosts: [String: IPv4Address] = [:]
        for h in topology.hosts { hosts[h] = try topology.address(of: h) }
        for address in settings.intercept {
            try topology.backend.addAddress(InterfaceAddress(address.prefix32, device: "lo"), in: topology.routerNamespace)
        }
        server = try DNSServer.start(
            responder: DNSResponder(zone: try DNSZone(hosts: hosts, settings: settings)), on: topology.routerThread,
            addresses: [topology.routerAddress] + settings.intercept, hosts: hosts, history: history)
        filesDirectory = NSTemporaryDirectory() + "fl-dns-\(UUID().uuidString)"
        let files = HostFiles.make(
            host: "client", address: hosts["client"]!, nameserver: topology.routerAddress, resolver: resolver)
        do {
            client = try HostContext(host: "client", namespace: try topology.namespace(of: "client"), mounts: try files.write(to: filesDirectory))
        } catch {
            server.stop()
            throw error
        }
    }

    func stop() {
        client.stop()
        server.stop()
        try? FileManager.default.removeItem(atPath: filesDirectory)
    }

    var apiAddress: String { (try? topology.address(of: "api").description) ?? "" }

    /// Puts a hijack in force, as the fault would.
    func hijack(_ name: String, _ hijack: DNSHijack, seed: UInt64 = 1) throws -> any FaultEffect {
        let effect = try FaultEngine.make(
            fault: Fault(name: name, at: .zero, kind: .dns(hijack)), topology: topology,
            environment: FaultEnvironment(seed: seed, dnsRules: server.rules))
        try effect.apply()
        return effect
    }

    /// Runs a program in the client host; returns its exit code, output and how long it took.
    func run(_ argv: [String]) throws -> (status: Int32, output: String, elapsed: Duration) {
        let start = ContinuousClock.now
        let child = try client.spawn(argv, env: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": "/tmp"], directory: "/tmp")
        var output = Data()
        for fd in [child.stdout, child.stderr].compactMap({ $0 }) {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                output.append(contentsOf: buffer[0..<n])
            }
            close(fd)
        }
        let status: Int32 = switch Spawn.wait(child.pid) {
        case .exited(let c): c
        case .signaled(let s): 128 + s
        }
        return (status, String(decoding: output, as: UTF8.self), ContinuousClock.now - start)
    }

    /// Python's socket.getaddrinfo for IPv4 TCP: the addresses, or `error <errno>` as glibc reports it.
    func getaddrinfo(_ name: String) throws -> String {
        let script = """
            import socket
            try:
                print(" ".join(sorted({a[4][0] for a in socket.getaddrinfo("\(name)", 80, socket.AF_INET, socket.SOCK_STREAM)})))
            except socket.gaierror as e:
                print("error", e.errno)
            """
        return try run(["python3", "-c", script]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The DNS queries the server recorded, in order.
    var queries: [(host: String, name: String, type: String, transport: String, outcome: DNSQueryOutcome, fault: String?)] {
        history.events.compactMap { e in
            guard case .dnsQuery(let host, let name, let type, let transport, let outcome, _, _, _, let fault) = e.kind else { return nil }
            return (host, name, type, transport, outcome, fault)
        }
    }
}
