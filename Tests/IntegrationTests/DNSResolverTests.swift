import DNS
import LinuxSystem
import FaultlineCore
import Foundation
import Glibc
import RunHistory
import ScenarioFormat
import Testing

/// The scenario DNS server against resolvers nobody here wrote: glibc (getent, Python's
/// getaddrinfo) and dig, running in a host namespace with the host's own resolv.conf.
@Suite(.serialized, .enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct DNSResolverTests {
    static let hasDig = FileManager.default.isExecutableFile(atPath: "/usr/bin/dig")

    @Test func glibcResolvesScenarioNamesThroughTheServer() throws {
        try DNSTestbed.with { bed in
            let getent = try bed.run(["getent", "ahostsv4", "api"])
            #expect(getent.status == 0 && getent.output.hasPrefix(bed.apiAddress), "\(getent.output)")
            #expect(try bed.getaddrinfo("consul.service.consul") == bed.apiAddress)
            #expect(try bed.getaddrinfo("nowhere.example") == "error -2")
            let asked = bed.queries.filter { $0.host == "client" }
            #expect(asked.contains { $0.name == "api" && $0.outcome == .answered(.noError) && $0.transport == "udp" })
            #expect(asked.contains { $0.name == "nowhere.example" && $0.outcome == .answered(.nxDomain) })
        }
    }

    @Test func aHijackedAddressIsWhatGetaddrinfoReturnsUntilHealed() throws {
        try DNSTestbed.with { bed in
            let effect = try bed.hijack("poison", DNSHijack(
                name: "*.service.consul", type: .a, hosts: ["client"], action: .answer([.ipv4(IPv4Address(parsing: "198.18.9.9")!)])))
            #expect(try bed.getaddrinfo("consul.service.consul") == "198.18.9.9")
            #expect(bed.queries.last { $0.type == "A" }?.fault == "poison")
            try effect.heal()
            #expect(try bed.getaddrinfo("consul.service.consul") == bed.apiAddress)
        }
    }

    @Test func nxdomainAndServfailGiveGlibcsDocumentedErrors() throws {
        try DNSTestbed.with { bed in
            // EAI_NONAME (-2): "Name or service not known"; EAI_AGAIN (-3): "Temporary failure in name resolution".
            let nx = try bed.hijack("nx", DNSHijack(name: "api", action: .rcode(.nxdomain)))
            #expect(try bed.getaddrinfo("api") == "error -2")
            try nx.heal()
            let servfail = try bed.hijack("servfail", DNSHijack(name: "api", action: .rcode(.servfail)))
            #expect(try bed.getaddrinfo("api") == "error -3")
            try servfail.heal()
            #expect(try bed.getaddrinfo("api") == bed.apiAddress)
        }
    }

    @Test func dropMakesGlibcTimeOutAfterTimeoutTimesAttempts() throws {
        for (timeout, attempts) in [(1, 2), (1, 3)] {
            try DNSTestbed.with(resolver: ResolverOptions(timeout: .seconds(Double(timeout)), attempts: attempts)) { bed in
                _ = try bed.hijack("silent", DNSHijack(name: "api", action: .drop))
                let r = try bed.run(["getent", "ahostsv4", "api"])
                let expected = Double(timeout * attempts)
                let seconds = Double(r.elapsed.components.seconds) + Double(r.elapsed.components.attoseconds) / 1e18
                #expect(r.status == 2, "getent exits 2 when the name does not resolve")
                #expect(seconds >= expected * 0.95 && seconds < expected + 0.8, "took \(seconds)s, expected ≈ \(expected)s")
                #expect(bed.queries.filter { $0.outcome == .dropped && $0.type == "A" }.count == attempts)
            }
        }
    }

    @Test func truncationMakesGlibcRetryOverTCPAndStillGetTheAnswer() throws {
        try DNSTestbed.with { bed in
            _ = try bed.hijack("tc", DNSHijack(name: "api", type: .a, action: .truncate))
            #expect(try bed.getaddrinfo("api") == bed.apiAddress)
            let a = bed.queries.filter { $0.name == "api" && $0.type == "A" }
            #expect(a.map(\.transport) == ["udp", "tcp"])
            #expect(a.first?.fault == "tc" && a.last?.fault == nil)
        }
    }

    @Test(.enabled(if: hasDig, "needs dig (Debian bind9-dnsutils; scripts/setup.sh installs it)"))
    func digOverUDPAndTCPSeesTruncationSRVAndTheInterceptedAddress() throws {
        try DNSTestbed.with { bed in
            let dig = ["dig", "+time=1", "+tries=1"]
            // 40 A records do not fit 512 bytes: dig sees TC over UDP and retries over TCP by itself.
            let big = try bed.run(dig + ["+noedns", "big.service.consul", "A"])
            #expect(big.output.contains("ANSWER: 40"), "\(big.output)")
            #expect(bed.queries.filter { $0.name == "big.service.consul" }.map(\.transport) == ["udp", "tcp"])
            let tcp = try bed.run(dig + ["+tcp", "+short", "consul.service.consul"])
            #expect(tcp.output.trimmingCharacters(in: .whitespacesAndNewlines) == bed.apiAddress)
            let srv = try bed.run(dig + ["+short", "_api._tcp.service.consul", "SRV"])
            #expect(srv.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1 1 8500 api.")
            let intercepted = try bed.run(dig + ["+short", "@\(DNSTestbed.intercept)", "api"])
            #expect(intercepted.output.trimmingCharacters(in: .whitespacesAndNewlines) == bed.apiAddress)
            let mixed = try bed.run(dig + ["+noall", "+question", "aPi.SeRvIcE.cOnSuL"])
            #expect(mixed.output.contains("aPi.SeRvIcE.cOnSuL."))
            let any = try bed.run(dig + ["api", "ANY"])
            #expect(any.output.contains("status: NOTIMP"))
        }
    }

    @Test(.enabled(if: hasDig, "needs dig (Debian bind9-dnsutils; scripts/setup.sh installs it)"))
    func firstThreeAffectsExactlyThreeQueriesThenTrueAnswersReturn() throws {
        try DNSTestbed.with { bed in
            _ = try bed.hijack("flaky", DNSHijack(name: "api", action: .rcode(.servfail), first: 3))
            let statuses = try (0..<6).map { _ -> String in
                let out = try bed.run(["dig", "+time=1", "+tries=1", "api"]).output
                return out.contains("status: SERVFAIL") ? "SERVFAIL" : out.contains("status: NOERROR") ? "NOERROR" : out
            }
            #expect(statuses == ["SERVFAIL", "SERVFAIL", "SERVFAIL", "NOERROR", "NOERROR", "NOERROR"])
            #expect(bed.queries.filter { $0.fault == "flaky" }.count == 3)
        }
    }

    @Test func aBurstOfQueriesIsAnsweredInFullAndEveryQueryRecorded() throws {
        try DNSTestbed.with { bed in
            let thread = try bed.topology.thread(of: "client")
            let fd = try SocketProbe.socket(on: thread, type: Int32(SOCK_DGRAM.rawValue))
            defer { close(fd) }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            // Plain zone queries (the loop's direct path), 0x20 case, EDNS, and a name outside the zone.
            let names = ["api", "consul.service.consul", "CoNsUl.SERVICE.consul", "nowhere.example"]
            var replies: [UInt16: [UInt8]] = [:]
            for round in 0..<8 {
                for i in 0..<50 {
                    let id = UInt16(round * 50 + i)
                    var h = DNSHeader(id: id)
                    h.recursionDesired = true
                    let query = try DNSMessage(
                        header: h, questions: [DNSQuestion(name: DNSName(names[Int(id) % names.count])!, type: .a)],
                        edns: id % 3 == 0 ? DNSEDNS() : nil).encode()
                    _ = IPv4SocketAddress(bed.topology.routerAddress, port: 53).withSockaddr { sendto(fd, query, query.count, 0, $0, $1) }
                }
                var buffer = [UInt8](repeating: 0, count: 4096)
                for _ in 0..<50 {
                    let n = recv(fd, &buffer, buffer.count, 0)
                    guard n > 0 else { break }
                    let reply = Array(buffer[0..<n])
                    replies[UInt16(reply[0]) << 8 | UInt16(reply[1])] = reply
                }
            }
            #expect(replies.count == 400)
            for (id, bytes) in replies {
                let message = try DNSMessage.decode(bytes)
                let name = names[Int(id) % names.count]
                #expect(message.questions.first?.name.description == name + ".")
                #expect(message.rcode == (name == "nowhere.example" ? .nxDomain : .noError))
                #expect((message.edns != nil) == (id % 3 == 0))
                #expect(message.answers.map(\.data) == (name == "nowhere.example" ? [] : [.a(try bed.topology.address(of: "api").value)]))
            }
            let recorded = bed.history.events.compactMap { e -> (String, String, TimeSpan)? in
                guard case .dnsQuery(let host, let name, _, "udp", _, _, _, let latency, _) = e.kind else { return nil }
                return (host, name, latency)
            }
            #expect(recorded.count == 400)
            #expect(recorded.allSatisfy { $0.0 == "client" && $0.2 > .zero })
            #expect(recorded.filter { $0.1 == "consul.service.consul" }.count == 200)
            #expect(bed.server.counters.queries == 400 && bed.server.counters.unanswered == 0)
        }
    }

    @Test(.enabled(if: hasDig, "needs dig (Debian bind9-dnsutils; scripts/setup.sh installs it)"))
    func aDelayedAnswerArrivesLateAndIsRecordedWithItsDelay() throws {
        try DNSTestbed.with { bed in
            _ = try bed.hijack("slow", DNSHijack(name: "api", action: .delay(.milliseconds(300))))
            let r = try bed.run(["dig", "+time=2", "+tries=1", "api"])
            #expect(r.output.contains("status: NOERROR") && r.output.contains(bed.apiAddress), "\(r.output)")
            let seconds = Double(r.elapsed.components.seconds) + Double(r.elapsed.components.attoseconds) / 1e18
            #expect(seconds >= 0.3)
            let latencies = bed.history.events.compactMap { e -> TimeSpan? in
                guard case .dnsQuery(_, "api", "A", "udp", .answered(.noError), _, _, let latency, let fault) = e.kind, fault == "slow" else { return nil }
                return latency
            }
            #expect(latencies.count == 1 && latencies[0] >= .milliseconds(300))
        }
    }

    @Test func hostilePacketsAreCountedAndNeverStallTheServer() throws {
        try DNSTestbed.with { bed in
            let thread = try bed.topology.thread(of: "client")
            let nasty: [[UInt8]] = [
                [1, 2, 3],
                [0xAB, 0xCD, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1],
                [0xAB, 0xCD, 1, 0, 0, 1, 0xFF, 0xFF, 0, 0, 0, 0, 3, 0x61, 0x70, 0x69, 0, 0, 1, 0, 1],
                [0xAB, 0xCD, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40] + Array(repeating: 0x61, count: 64) + [0, 0, 1, 0, 1],
            ]
            let fd = try SocketProbe.socket(on: thread, type: Int32(SOCK_DGRAM.rawValue))
            defer { close(fd) }
            for _ in 0..<50 {
                for packet in nasty {
                    _ = IPv4SocketAddress(bed.topology.routerAddress, port: 53).withSockaddr { sendto(fd, packet, packet.count, 0, $0, $1) }
                }
            }
            #expect(try bed.getaddrinfo("api") == bed.apiAddress)
            #expect(bed.server.counters.malformed >= 200)
        }
    }
}
