import FaultlineCore
import Foundation
import Glibc
import LinuxSystem
import RunHistory
import ScenarioFormat
import Synchronization

/// The outcome of one probe attempt, as the client would see it.
public struct ProbeOutcome: Sendable, Equatable {
    public var ok: Bool
    public var latency: TimeSpan
    /// `HTTP 200`, `connected`, `ECONNREFUSED`, `timeout after 1s` …
    public var detail: String
}

/// One TCP connect or HTTP GET, made with plain blocking-with-timeout sockets.
///
/// Must run on a thread inside the source host's network namespace: the socket is created there.
public enum ProbeAttempt {
    public static func run(_ target: ResolvedTarget, timeout: TimeSpan) -> ProbeOutcome {
        let start = RunClockNow.nanoseconds()
        let deadline = start + UInt64(max(timeout.nanoseconds, 1))
        func outcome(_ ok: Bool, _ detail: String) -> ProbeOutcome {
            ProbeOutcome(ok: ok, latency: TimeSpan(nanoseconds: Int64(RunClockNow.nanoseconds() - start)), detail: detail)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return outcome(false, "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // Leave from the probes' own port range, so checks on the client's traffic can tell them apart.
        guard SourcePorts.bind(fd) else { return outcome(false, "no free source port in the probe range") }

        switch connectWithDeadline(fd, target.address, target.port, deadline) {
        case .failure(let e): return outcome(false, e.text(timeout: timeout))
        case .success: break
        }
        guard let path = target.httpPath else {
            // A plain connect check: close with RST, so nothing waits in TIME_WAIT.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            return outcome(true, "connected")
        }

        let request = "GET \(path) HTTP/1.1\r\nHost: \(target.hostHeader)\r\nUser-Agent: faultline-probe\r\nConnection: close\r\n\r\n"
        let sent = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
        guard sent == request.utf8.count else { return outcome(false, "send: \(String(cString: strerror(errno)))") }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.contains(0x0A) {
            switch waitFor(fd, Int16(POLLIN), deadline) {
            case .failure(let e): return outcome(false, e.text(timeout: timeout))
            case .success: break
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n < 0 { return outcome(false, ProbeError.errno(errno).text(timeout: timeout)) }
            if n == 0 { return outcome(false, received.isEmpty ? "connection closed before a response" : "truncated status line") }
            received.append(contentsOf: buffer[0..<n])
            if received.count > 8192 { break }
        }
        guard let status = statusCode(received) else { return outcome(false, "not an HTTP response") }
        let result = outcome(status < 400, "HTTP \(status)")
        // Let the server close first (we asked for Connection: close), so the probe's port is not
        // held in TIME_WAIT; stop at the deadline either way.
        while case .success = waitFor(fd, Int16(POLLIN), deadline) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 { break }
        }
        return result
    }

    /// Parses `HTTP/1.1 503 Service Unavailable` into 503.
    static func statusCode(_ bytes: [UInt8]) -> Int? {
        let line = String(decoding: bytes.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]), (100...599).contains(code) else {
            return nil
        }
        return code
    }

    enum ProbeError: Error {
        case timeout
        case errno(Int32)

        func text(timeout: TimeSpan) -> String {
            switch self {
            case .timeout: "timeout after \(timeout)"
            case .errno(let e): "\(errnoName(e)) (\(String(cString: strerror(e))))"
            }
        }
    }

    static func errnoName(_ e: Int32) -> String {
        switch e {
        case ECONNREFUSED: "ECONNREFUSED"
        case EHOSTUNREACH: "EHOSTUNREACH"
        case ENETUNREACH: "ENETUNREACH"
        case EACCES: "EACCES"
        case EPERM: "EPERM"
        case ECONNRESET: "ECONNRESET"
        case ETIMEDOUT: "ETIMEDOUT"
        case EPIPE: "EPIPE"
        default: "errno \(e)"
        }
    }

    private static func connectWithDeadline(_ fd: Int32, _ address: IPv4Address, _ port: UInt16, _ deadline: UInt64) -> Result<Void, ProbeError> {
        if connect(fd, to: IPv4SocketAddress(address, port: port)) == 0 { return .success(()) }
        guard errno == EINPROGRESS else { return .failure(.errno(errno)) }
        if case .failure(let e) = waitFor(fd, Int16(POLLOUT), deadline) { return .failure(e) }
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
        return err == 0 ? .success(()) : .failure(.errno(err))
    }

    private static func waitFor(_ fd: Int32, _ events: Int16, _ deadline: UInt64) -> Result<Void, ProbeError> {
        while true {
            let now = RunClockNow.nanoseconds()
            guard now < deadline else { return .failure(.timeout) }
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let ms = Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
            let r = poll(&pfd, 1, ms)
            if r < 0 && errno == EINTR { continue }
            if r < 0 { return .failure(.errno(errno)) }
            if r > 0 { return .success(()) }
        }
    }
}

/// A probe or readiness target with its host name resolved to a testbed address.
public struct ResolvedTarget: Sendable, Equatable {
    public var address: IPv4Address
    public var port: UInt16
    /// Set for HTTP targets: the path to GET.
    public var httpPath: String?
    public var hostHeader: String

    public init(address: IPv4Address, port: UInt16, httpPath: String? = nil, hostHeader: String) {
        self.address = address
        self.port = port
        self.httpPath = httpPath
        self.hostHeader = hostHeader
    }

    /// Resolves a scenario host name (or IPv4 literal) through the testbed's address map.
    public static func resolve(_ target: ProbeTarget, addresses: [String: IPv4Address]) -> ResolvedTarget? {
        switch target {
        case .http(let u):
            guard let a = addresses[u.host] ?? IPv4Address(parsing: u.host) else { return nil }
            return ResolvedTarget(address: a, port: u.port, httpPath: u.path, hostHeader: u.port == 80 ? u.host : "\(u.host):\(u.port)")
        case .tcp(let h, let p):
            guard let a = addresses[h] ?? IPv4Address(parsing: h) else { return nil }
            return ResolvedTarget(address: a, port: p, hostHeader: h)
        case .dns, .command:
            return nil
        }
    }
}

/// Hands out source ports from ``ProbeTraffic/sourcePorts`` in turn, skipping ports in use.
enum SourcePorts {
    private static let next = Mutex(ProbeTraffic.sourcePorts.lowerBound)

    /// Binds `fd` to the next free port of the range (a few tries); false if none was free.
    static func bind(_ fd: Int32) -> Bool {
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        for _ in 0..<32 {
            if LinuxSystem.bind(fd, to: .any(port: take())) == 0 { return true }
        }
        return false
    }

    private static func take() -> UInt16 {
        next.withLock { next in
            let port = next
            next = next == ProbeTraffic.sourcePorts.upperBound ? ProbeTraffic.sourcePorts.lowerBound : next + 1
            return port
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
enum RunClockNow {
    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
