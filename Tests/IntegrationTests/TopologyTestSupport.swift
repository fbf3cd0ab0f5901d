import FaultlineCore
import Foundation
import Glibc
import LinuxSystem
import Netlink
import ScenarioFormat
import Testbed

/// Shared by the Topology*/Partition*/Namespace* integration tests: root check, unique run IDs,
/// and small socket probes that run inside a namespace.
enum TopologyFixture {
    static let isRoot = getuid() == 0

    /// A run ID no other test uses, so namespaces never collide: `t3a9c1`.
    static func runID() -> String { "t" + String(UInt32.random(in: 0...0xFFFFFF), radix: 16) }

    /// Builds a topology of `hosts` and always tears it down after `body`, also when it throws.
    static func withTopology<T>(
        _ hosts: [String], backend: (any RouteNetlink)? = nil, _ body: (Topology) throws -> T
    ) throws -> T {
        let plan = try TopologyPlan.make(runID: runID(), hosts: hosts, network: .defaultTestbed)
        let topology = try Topology.build(plan, backend: backend)
        defer {
            try? topology.teardown()
            for leftover in NetworkNamespace.list(prefix: plan.namespacePrefix) { try? leftover.delete() }
        }
        return try body(topology)
    }
}

/// What a TCP connect attempt came to.
enum ConnectOutcome: Hashable {
    case connected
    case failed(errno: Int32)
    case timedOut
}

/// Sockets made on a namespace's thread, so they belong to that namespace.
enum SocketProbe {
    /// A socket of `type` made in `thread`'s namespace, bound to `address:port` when given.
    static func socket(on thread: NamespaceThread, type: Int32, bindTo address: IPv4Address? = nil, port: UInt16 = 0) throws -> Int32 {
        try thread.run {
            let fd = Glibc.socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SystemCallError("creating socket in", thread.namespace.name) }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if let address {
                let r = LinuxSystem.bind(fd, to: IPv4SocketAddress(address, port: port))
                guard r == 0 else { close(fd); throw SystemCallError("binding socket to \(address):\(port) in", thread.namespace.name) }
            }
            return fd
        }
    }

    /// A listening TCP socket at `address:port` inside `thread`'s namespace.
    static func listen(on thread: NamespaceThread, _ address: IPv4Address, _ port: UInt16) throws -> Int32 {
        let fd = try socket(on: thread, type: Int32(SOCK_STREAM.rawValue), bindTo: address, port: port)
        guard Glibc.listen(fd, 64) == 0 else { close(fd); throw SystemCallError("listening", "\(address):\(port)") }
        return fd
    }

    /// A non-blocking TCP connect from `thread`'s namespace, waiting at most `timeout`.
    /// Returns the outcome, how long it took, and the socket (caller closes) when connected.
    static func connect(
        from thread: NamespaceThread, to address: IPv4Address, _ port: UInt16, timeout: Duration = .seconds(1)
    ) throws -> (outcome: ConnectOutcome, elapsed: Duration, fd: Int32) {
        let fd = try socket(on: thread, type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
        let clock = ContinuousClock()
        let start = clock.now
        let r = LinuxSystem.connect(fd, to: IPv4SocketAddress(address, port: port))
        if r == 0 { return (.connected, clock.now - start, fd) }
        let err = errno
        guard err == EINPROGRESS else { close(fd); return (.failed(errno: err), clock.now - start, -1) }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ms = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&pfd, 1, ms)
        let elapsed = clock.now - start
        if ready == 0 { close(fd); return (.timedOut, elapsed, -1) }
        var soError: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len)
        if soError != 0 { close(fd); return (.failed(errno: soError), elapsed, -1) }
        return (.connected, elapsed, fd)
    }

    /// Connects, sends `message`, accepts on `listener` and reads it back on the other side.
    static func exchange(from thread: NamespaceThread, to address: IPv4Address, _ port: UInt16, listener: Int32, message: String = "faultline") throws -> String? {
        let (outcome, _, fd) = try connect(from: thread, to: address, port)
        guard outcome == .connected else { return nil }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        _ = send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
        let peer = accept(listener, nil, nil)
        guard peer >= 0 else { return nil }
        defer { close(peer) }
        var tv = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = recv(peer, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }

    /// Sends one UDP datagram from `thread`'s namespace.
    static func sendDatagram(from thread: NamespaceThread, to address: IPv4Address, _ port: UInt16, _ message: String) throws {
        let fd = try socket(on: thread, type: Int32(SOCK_DGRAM.rawValue))
        defer { close(fd) }
        let bytes = Array(message.utf8)
        _ = IPv4SocketAddress(address, port: port).withSockaddr { sendto(fd, bytes, bytes.count, 0, $0, $1) }
    }

    /// Waits up to `timeout` for a datagram on `fd`.
    static func receiveDatagram(_ fd: Int32, timeout: Duration = .milliseconds(300)) -> String? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&pfd, 1, ms) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }

    /// Reads a /proc/sys file from `thread`'s namespace.
    static func sysctl(_ key: String, on thread: NamespaceThread) throws -> String {
        try thread.run {
            try String(contentsOfFile: "/proc/sys/\(key)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
