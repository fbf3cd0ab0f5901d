import FaultlineCore
import Faults
import Foundation
import Glibc
import LinuxSystem
import Netlink
import Observer
import RunHistory
import ScenarioFormat
import Testbed
import Testing

/// The observer on a real testbed: real clients and servers in host namespaces, real packets
/// captured on the router, read back as history events and as a pcap file.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces and captures packets"))
struct TrafficObserverTests {
    static let tcpdump = ExternalCommand.locate("tcpdump")

    /// Builds `client` + `api`, runs the observer around `body`, and returns the history.
    private func observe(
        captureFile: URL? = nil, _ body: (Topology) throws -> Void
    ) throws -> (events: [Event], summary: TrafficObserver.Summary?) {
        try TopologyFixture.withTopology(["client", "api"]) { topology in
            let clock = RunClock()
            let history = History(clock: { clock.now() })
            let observer = TrafficObserver(topology: topology, history: history, clock: clock, captureFile: captureFile)
            try observer.start()
            do {
                try body(topology)
            } catch {
                _ = try? observer.stop()
                throw error
            }
            // Let the last packets reach the ring before the final drain.
            usleep(100_000)
            let summary = try observer.stop()
            return (history.events, summary)
        }
    }

    /// An HTTP/1.1 (keep-alive) file server in `api` on port 8080, up when this returns.
    private func startServer(_ topology: Topology) throws -> (HostContext, HostProcess) {
        let api = try topology.address(of: "api")
        let context = try HostContext(host: "api", namespace: try topology.namespace(of: "api"), mounts: [])
        let script = """
            import http.server as h
            h.SimpleHTTPRequestHandler.protocol_version = 'HTTP/1.1'
            h.ThreadingHTTPServer(('\(api)', 8080), h.SimpleHTTPRequestHandler).serve_forever()
            """
        let process = try HostProcess(
            host: "api", command: "exec python3 -c \"\(script)\"", context: context, directory: NSTemporaryDirectory(),
            env: ["PATH": "/usr/bin:/bin:/usr/local/bin"], history: History(clock: { .zero }))
        let client = try topology.thread(of: "client")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let (outcome, _, fd) = try SocketProbe.connect(from: client, to: api, 8080)
            if outcome == .connected {
                close(fd)
                return (context, process)
            }
            usleep(50_000)
        }
        process.terminate()
        context.stop()
        throw RunnerTestError("python3 http.server did not come up in api")
    }

    /// Waits (up to 10 s) until a TCP connect from `client` to `address:port` succeeds.
    static func waitUntilListening(_ topology: Topology, _ address: IPv4Address, _ port: UInt16) throws {
        let client = try topology.thread(of: "client")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let (outcome, _, fd) = try SocketProbe.connect(from: client, to: address, port)
            if outcome == .connected {
                close(fd)
                return
            }
            usleep(50_000)
        }
        throw RunnerTestError("nothing listened on \(address):\(port) within 10 s")
    }

    /// Runs `command` in `client` and waits for it to end.
    private func runClient(_ topology: Topology, _ command: String) throws {
        let context = try HostContext(host: "client", namespace: try topology.namespace(of: "client"), mounts: [])
        defer { context.stop() }
        let process = try HostProcess(
            host: "client", command: command, context: context, directory: "/tmp", env: ["PATH": "/usr/bin:/bin"],
            history: History(clock: { .zero }))
        let deadline = Date().addingTimeInterval(10)
        while process.status == nil && Date() < deadline { usleep(20_000) }
        #expect(process.status == .exited(0), "\(command)")
    }

    @Test func curlAgainstAPythonServerGivesConnectionStepsAndMatchedExchanges() throws {
        let (events, _) = try observe { topology in
            let (context, server) = try startServer(topology)
            defer { server.terminate(); context.stop() }
            let api = try topology.address(of: "api")
            // Two URLs on one command line: curl keeps the connection alive between them (a 404
            // would not do: http.server closes after every error).
            try runClient(topology, "curl -s --http1.1 -o /dev/null -o /dev/null http://\(api):8080/ http://\(api):8080/?second")
        }
        let requests = events.compactMap { if case .httpRequest(let r) = $0.kind { r } else { nil } }
        let responses = events.compactMap { if case .httpResponse(let r) = $0.kind { r } else { nil } }
        #expect(requests.map(\.method) == ["GET", "GET"])
        #expect(requests.map(\.path) == ["/", "/?second"])
        #expect(requests.allSatisfy { $0.from == "client" && $0.to == "api" && $0.port == 8080 && $0.via == "wire" })
        #expect(requests.first?.headers["user-agent"]?.hasPrefix("curl/") == true)
        #expect(responses.map(\.status) == [200, 200])
        #expect(responses.map(\.exchange) == requests.map(\.exchange))
        #expect(Set(requests.compactMap(\.connection)).count == 1, "keep-alive: one connection for both")
        let connection = try #require(requests.first?.connection)
        let steps = events.compactMap { if case .connection(let c) = $0.kind, c.connection == connection { c.phase } else { nil } }
        #expect(steps == [.attempt, .established, .identified, .closed])
        #expect(responses.allSatisfy { $0.latency > .zero && $0.latency < .seconds(1) })
    }

    static let dnsmasq = ExternalCommand.locate("dnsmasq")
    static let dig = ExternalCommand.locate("dig")

    @Test(.enabled(if: dnsmasq != nil && dig != nil, "needs dnsmasq and dig (scripts/setup.sh installs dnsmasq-base, bind9-dnsutils)"))
    func dnsBetweenHostsIsReadOffTheWireOverUDPAndTCP() throws {
        let (events, _) = try observe { topology in
            let api = try topology.address(of: "api")
            let context = try HostContext(host: "api", namespace: try topology.namespace(of: "api"), mounts: [])
            defer { context.stop() }
            // A resolver nobody here wrote, in a host: the router's capture is all that sees its traffic.
            let server = try HostProcess(
                host: "api",
                command: "exec \(Self.dnsmasq!) --no-daemon --no-resolv --no-hosts --bind-interfaces --listen-address=\(api) "
                    + "--port=53 --address=/svc.test/10.9.9.9 --address=/missing.test/ --pid-file=",
                context: context, directory: "/tmp", env: ["PATH": "/usr/sbin:/usr/bin:/bin"], history: History(clock: { .zero }))
            defer { server.terminate() }
            // Up once it accepts on TCP 53 (dnsmasq binds its UDP and TCP sockets together, before
            // it serves either): a fixed wait was a guess at how soon it starts on a loaded machine.
            try Self.waitUntilListening(topology, api, 53)
            try runClient(topology, "\(Self.dig!) +tries=3 +time=1 @\(api) svc.test A +short | grep -q 10.9.9.9")
            try runClient(topology, "\(Self.dig!) +tcp +time=1 @\(api) missing.test A | grep -q NXDOMAIN")
        }
        let messages = events.compactMap { e -> DNSMessageEvent? in if case .dnsMessage(let m) = e.kind { m } else { nil } }
        let udpAnswer = messages.first { $0.response && $0.transport == "udp" && $0.name == "svc.test" }
        #expect(messages.contains { !$0.response && $0.transport == "udp" && $0.name == "svc.test" && $0.from == "client" && $0.to == "api" })
        #expect(udpAnswer?.answers == ["A 10.9.9.9"] && udpAnswer?.rcode == .noError)
        #expect((udpAnswer?.latency?.nanoseconds ?? -1) > 0)
        let tcpAnswer = messages.first { $0.response && $0.transport == "tcp" }
        #expect(tcpAnswer?.name == "missing.test" && tcpAnswer?.rcode == .nxDomain && tcpAnswer?.latency != nil)
        let flows = events.compactMap { e -> UDPFlowEvent? in if case .udpFlow(let f) = e.kind { f } else { nil } }
        #expect(flows.contains { $0.phase == .started && $0.port == 53 && $0.from == "client" && $0.to == "api" })
        #expect(flows.contains { $0.phase == .ended && $0.port == 53 && $0.datagramsOut == 1 && $0.datagramsIn == 1 })
    }

    @Test func aDatagramToAClosedPortShowsTheICMPAnswerOnItsFlow() throws {
        let (events, _) = try observe { topology in
            let api = try topology.address(of: "api")
            try runClient(topology, """
                python3 -c "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'ping', ('\(api)', 9)); import time; time.sleep(0.2)"
                """)
        }
        let flows = events.compactMap { e -> UDPFlowEvent? in if case .udpFlow(let f) = e.kind { f } else { nil } }
        #expect(flows.first?.phase == .started && flows.first?.port == 9)
        #expect(flows.contains { $0.phase == .unreachable && $0.reason == "port unreachable from api" && $0.flow == flows.first?.flow })
    }

    @Test func aPortNobodyListensOnIsRefused() throws {
        let (events, _) = try observe { topology in
            let (outcome, _, _) = try SocketProbe.connect(from: try topology.thread(of: "client"), to: try topology.address(of: "api"), 9)
            #expect(outcome == .failed(errno: ECONNREFUSED))
        }
        let steps = events.compactMap { if case .connection(let c) = $0.kind, c.port == 9 { c.phase } else { nil } }
        #expect(steps == [.attempt, .refused])
    }

    @Test func aDroppingPartitionShowsTheKernelRetryingItsSYN() throws {
        let (events, _) = try observe { topology in
            let client = try topology.address(of: "client"), api = try topology.address(of: "api")
            let rule = FIBRule(from: client.prefix32, to: api.prefix32, action: .blackhole, priority: 100)
            try topology.backend.addRule(rule, in: topology.routerNamespace)
            defer { try? topology.backend.deleteRule(rule, in: topology.routerNamespace) }
            // SYNs leave about a second apart at first (initial RTO 1 s; kernels since 6.5 keep the
            // first retries linear, `tcp_syn_linear_timeouts`; older ones double: 0, 1, 3 s).
            let (outcome, _, _) = try SocketProbe.connect(from: try topology.thread(of: "client"), to: api, 8080, timeout: .milliseconds(3500))
            #expect(outcome == .timedOut)
        }
        let steps = events.compactMap { if case .connection(let c) = $0.kind { c.phase } else { nil } }
        #expect(steps.first == .attempt && steps.dropFirst().allSatisfy { $0 == .synRetransmit } && steps.count >= 3)
        let times = events.compactMap { if case .connection = $0.kind { $0.t.seconds } else { nil } }
        #expect(times.count >= 2 && abs(times[1] - times[0] - 1) < 0.1, "SYN times \(times)")
    }

    @Test(.enabled(if: ExternalCommand.locate("iptables") != nil, "needs iptables (Debian package iptables)"))
    func aRejectingPartitionShowsEveryAttemptAnsweredUnreachable() throws {
        let (events, _) = try observe { topology in
            let api = try topology.address(of: "api")
            let effect = try FaultEngine.make(
                fault: Fault(name: "cut", at: .zero, kind: .partition(Partition(cuts: [DirectedPair(from: "client", to: "api")], mode: .reject))),
                topology: topology)
            try effect.apply()
            defer { try? effect.heal() }
            for _ in 0..<3 {
                let (outcome, _, fd) = try SocketProbe.connect(from: try topology.thread(of: "client"), to: api, 8080)
                if fd >= 0 { close(fd) }
                #expect(outcome == .failed(errno: EHOSTUNREACH))
            }
        }
        let steps = events.compactMap { if case .connection(let c) = $0.kind { c.phase } else { nil } }
        #expect(steps == [.attempt, .unreachable, .attempt, .unreachable, .attempt, .unreachable])
    }

    @Test func theCaptureFileIsAPcapFileWithThePackets() throws {
        let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fl-capture-\(UUID().uuidString).pcap")
        defer { try? FileManager.default.removeItem(at: file) }
        let (events, summary) = try observe(captureFile: file) { topology in
            try SocketProbe.sendDatagram(from: try topology.thread(of: "client"), to: try topology.address(of: "api"), 5353, "hello")
            _ = try SocketProbe.connect(from: try topology.thread(of: "client"), to: try topology.address(of: "api"), 9)
        }
        let data = try Data(contentsOf: file)
        // pcap with nanosecond timestamps (magic a1b23c4d, little-endian here), Linux cooked link type.
        #expect(data.prefix(4) == Data([0x4D, 0x3C, 0xB2, 0xA1]))
        #expect(data.count > 24)
        let stats = try #require(summary?.stats)
        #expect(stats.received >= 3 && stats.dropped == 0)
        #expect(summary?.counters.udpDatagrams == 1)
        #expect(events.contains { if case .captureStats = $0.kind { true } else { false } })
        if let tcpdump = Self.tcpdump {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tcpdump)
            process.arguments = ["-nn", "-r", file.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let lines = text.split(separator: "\n")
            #expect(process.terminationStatus == 0 && lines.count >= 3)
            #expect(lines.contains { $0.contains(".5353: ") }, "\(text)")
        }
    }
}

struct RunnerTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
