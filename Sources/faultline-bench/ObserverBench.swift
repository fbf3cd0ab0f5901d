import FaultlineCore
import Foundation
import Glibc
import LinuxSystem
import Netlink
import Observer
import RunHistory
import ScenarioFormat
import Testbed

/// The traffic observer's capacity: the highest packet rate it keeps up with without a capture
/// drop, and the CPU its thread uses, with parsing on and the capture file written.
func benchObserver(runTag: String) throws {
    print("Traffic observer (libpcap on the router's `any` device, inbound only, analysis on, capture.pcap written):")
    let plan = try TopologyPlan.make(runID: "\(runTag)-o", hosts: ["a", "b"], network: .defaultTestbed)
    let registration = try BenchTestbed.register(plan)
    defer { BenchTestbed.release(registration) }
    let topology = try Topology.build(plan)
    defer { try? topology.teardown() }
    let sender = try topology.thread(of: "a")
    let receiverThread = try topology.thread(of: "b")
    let target = try topology.address(of: "b")
    // A bound socket nobody reads: the datagrams are accepted (no ICMP port-unreachable back) and dropped in b.
    let sink = try receiverThread.run { try udpSocket(bindTo: target, port: 9000) }
    defer { close(sink) }
    print("  UDP, 64-byte datagrams a → b, 2 s per rate:")
    print("  offered pps | sent pps | captured (total) | dropped | observer CPU (of one core)")
    var best = 0
    for rate in [25_000, 50_000, 100_000, 150_000, 200_000, 300_000] {
        let (sent, summary, wall, _) = try observed(topology) {
            try sender.run { try sendUDP(to: target, port: 9000, rate: rate, seconds: 2) }
        }
        let stats = summary.stats
        let cpu = seconds(summary.cpuTime) / wall * 100
        let sentRate = Double(sent) / 2
        print("  \(pad(String(rate), 11)) | \(pad(format(sentRate, 0), 8)) | \(pad(String(stats.received), 16)) | \(pad(String(stats.dropped + stats.interfaceDropped), 7)) | \(format(cpu, 1)) % (\(summary.counters.udpDatagrams) UDP read, \(summary.counters.outgoingSkipped) outgoing skipped)")
        if stats.dropped + stats.interfaceDropped == 0 && stats.received >= sent { best = max(best, Int(sentRate)) }
        if sentRate < Double(rate) * 0.8 { break }  // the sender is the limit from here on
    }
    print("  highest rate with zero capture drops: \(best) pps (goal ≥ 50000)")

    print("  HTTP/1.1 requests a → b over one kept-alive connection (TCP_NODELAY, one request per write), paced, 2 s per rate:")
    print("  offered req/s | sent req/s | packets captured (pps) | requests parsed | dropped | observer CPU")
    var bestHTTP = 0
    for rate in [10_000, 25_000, 50_000, 75_000, 100_000] {
        let (sent, summary, wall, events) = try observed(topology) {
            try httpRequests(from: sender, to: receiverThread, address: target, rate: rate, seconds: 2)
        }
        let parsed = events.filter { if case .httpRequest = $0.kind { true } else { false } }.count
        let stats = summary.stats
        let drops = stats.dropped + stats.interfaceDropped
        let pps = Double(stats.received) / wall
        print("  \(pad(String(rate), 13)) | \(pad(format(Double(sent) / 2, 0), 10)) | \(pad("\(stats.received) (\(format(pps, 0)))", 22)) | \(pad(String(parsed), 15)) | \(pad(String(drops), 7)) | \(format(seconds(summary.cpuTime) / wall * 100, 1)) %")
        if drops == 0 && parsed == sent { bestHTTP = max(bestHTTP, Int(pps)) }
        if Double(sent) / 2 < Double(rate) * 0.8 { break }  // the sender is the limit from here on
    }
    print("  highest packet rate with HTTP parsing, zero drops and every request parsed: \(bestHTTP) pps (goal ≥ 50000)")
    try topology.teardown()
    print("")
}

/// Runs `body` with an observer on and returns its result, the observer's figures and the wall time.
private func observed<T>(_ topology: Topology, _ body: () throws -> T) throws -> (T, TrafficObserver.Summary, Double, [Event]) {
    let clock = RunClock()
    let history = History(clock: { clock.now() })
    let file = URL(fileURLWithPath: "/tmp/faultline-bench-\(getpid()).pcap")
    defer { unlink(file.path) }
    let observer = TrafficObserver(topology: topology, history: history, clock: clock, captureFile: file)
    let start = RunClock.monotonicNow()
    try observer.start()
    let result: T
    do { result = try body() } catch { _ = try? observer.stop(); throw error }
    usleep(200_000)
    guard let summary = try observer.stop() else { throw BenchError(description: "observer gave no figures") }
    return (result, summary, Double(RunClock.monotonicNow() - start) / 1e9, history.events)
}

private func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

private func udpSocket(bindTo address: IPv4Address? = nil, port: UInt16 = 0) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw BenchError(description: "creating UDP socket: errno \(errno)") }
    if let address {
        let r = bind(fd, to: IPv4SocketAddress(address, port: port))
        guard r == 0 else { close(fd); throw BenchError(description: "binding UDP socket: errno \(errno)") }
    }
    return fd
}

/// Sends 64-byte datagrams at `rate` per second for `seconds`, paced in 1 ms slices; returns how many went.
private func sendUDP(to address: IPv4Address, port: UInt16, rate: Int, seconds: Double) throws -> Int {
    let fd = try udpSocket()
    defer { close(fd) }
    let destination = IPv4SocketAddress(address, port: port)
    let payload = [UInt8](repeating: 0x5A, count: 64)
    let start = RunClock.monotonicNow()
    let end = start + UInt64(seconds * 1e9)
    var sent = 0
    while true {
        let now = RunClock.monotonicNow()
        if now >= end { break }
        let due = Int(Double(now - start) / 1e9 * Double(rate))
        while sent < due {
            let r = send(fd, payload, count: payload.count, to: destination)
            if r < 0 { break }
            sent += 1
        }
    }
    return sent
}

/// A TCP client in `from` writes small HTTP requests at `rate` per second (paced in 1 ms slices)
/// over one connection to a reader in `to`; returns how many it wrote.
private func httpRequests(from: NamespaceThread, to: NamespaceThread, address: IPv4Address, rate: Int, seconds: Double) throws -> Int {
    let listener = try to.run { () throws -> Int32 in
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let r = bind(fd, to: IPv4SocketAddress(address, port: 8080))
        guard r == 0, listen(fd, 4) == 0 else { throw BenchError(description: "listening on b:8080: errno \(errno)") }
        return fd
    }
    defer { close(listener) }
    let done = DispatchSemaphore(value: 0)
    let reader = Thread {
        defer { done.signal() }
        let peer = accept(listener, nil, nil)
        guard peer >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while recv(peer, &buffer, buffer.count, 0) > 0 {}
        close(peer)
    }
    reader.start()
    defer { done.wait() }
    return try from.run { () throws -> Int in
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let r = connect(fd, to: IPv4SocketAddress(address, port: 8080))
        guard r == 0 else { throw BenchError(description: "connecting to b:8080: errno \(errno)") }
        let request = Array("GET /v1/kv/config HTTP/1.1\r\nHost: b:8080\r\nUser-Agent: bench\r\n\r\n".utf8)
        let start = RunClock.monotonicNow()
        let end = start + UInt64(seconds * 1e9)
        var sent = 0
        writing: while true {
            let now = RunClock.monotonicNow()
            if now >= end { break }
            let due = Int(Double(now - start) / 1e9 * Double(rate))
            while sent < due {
                guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { break writing }
                sent += 1
            }
        }
        shutdown(fd, Int32(SHUT_WR))
        return sent
    }
}
