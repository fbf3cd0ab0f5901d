import Foundation
import Glibc
import LinuxSystem
import Netlink
import Testbed

/// Real UDP and TCP traffic for the link-fault tests: numbered, timestamped datagrams from one
/// host to another, and what arrived.
enum LinkTraffic {
    /// One datagram as received.
    struct Arrival {
        var sequence: Int
        /// The kernel's receive timestamp minus the send time, in milliseconds (both
        /// CLOCK_REALTIME, one clock for every namespace).
        var oneWay: Double
        /// The payload came through bit for bit.
        var intact: Bool
    }

    static let size = 64

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// CLOCK_REALTIME, the clock of the kernel's receive timestamps (SO_TIMESTAMPNS).
    static func realtimeNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// SO_TIMESTAMPNS (`SO_TIMESTAMPNS_OLD` in asm-generic/socket.h; the macro does not import),
    /// also the type of its control message.
    static let timestampOption: Int32 = 35

    /// Receives one datagram into `buffer`; returns its length and the time the kernel stamped on
    /// it as it reached the socket (nanoseconds of CLOCK_REALTIME), nil when no stamp came along.
    static func receive(_ fd: Int32, into buffer: inout [UInt8]) -> (count: Int, stamp: Int64?) {
        var control = [UInt8](repeating: 0, count: 64)
        return buffer.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { ctl in
                var iov = iovec(iov_base: data.baseAddress, iov_len: data.count)
                return withUnsafeMutablePointer(to: &iov) { iovp in
                    var msg = msghdr()
                    msg.msg_iov = iovp
                    msg.msg_iovlen = 1
                    msg.msg_control = ctl.baseAddress
                    msg.msg_controllen = ctl.count
                    let n = recvmsg(fd, &msg, 0)
                    guard n > 0 else { return (n, nil) }
                    // Control messages: cmsghdr (len, level, type), then data, each aligned to size_t.
                    let header = MemoryLayout<cmsghdr>.size
                    var offset = 0
                    while offset + header <= Int(msg.msg_controllen) {
                        let c = ctl.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
                        if c.cmsg_level == SOL_SOCKET && c.cmsg_type == timestampOption {
                            let ts = ctl.loadUnaligned(fromByteOffset: offset + header, as: timespec.self)
                            return (n, Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
                        }
                        let step = (Int(c.cmsg_len) + 7) & ~7
                        guard step > 0 else { break }
                        offset += step
                    }
                    return (n, nil)
                }
            }
        }
    }

    /// Sends `count` datagrams at `rate` per second from `from` to `to:port` and collects what
    /// arrives until `settle` after the last send. UDP checksums are off (SO_NO_CHECK) so a
    /// corrupted datagram still reaches the socket and is seen as corrupted, not as lost.
    /// Arrival is the kernel's receive timestamp, not the moment the reader thread ran: on a
    /// loaded machine an ordinary thread wakes late by a millisecond or more, which is the
    /// scheduler's delay, not the link's.
    static func udp(_ topology: Topology, from: String, to: String, port: UInt16, count: Int, rate: Double,
                    settle: Double = 0.3) throws -> [Arrival] {
        let receiver = try SocketProbe.socket(on: topology.thread(of: to), type: Int32(SOCK_DGRAM.rawValue),
                                              bindTo: topology.address(of: to), port: port)
        defer { close(receiver) }
        var big: Int32 = 16 << 20
        setsockopt(receiver, SOL_SOCKET, SO_RCVBUFFORCE, &big, socklen_t(MemoryLayout<Int32>.size))
        var on: Int32 = 1
        guard setsockopt(receiver, SOL_SOCKET, timestampOption, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SystemCallError("enabling SO_TIMESTAMPNS on the receiver in", to)
        }
        let sender = try SocketProbe.socket(on: topology.thread(of: from), type: Int32(SOCK_DGRAM.rawValue))
        defer { close(sender) }
        var one: Int32 = 1
        setsockopt(sender, SOL_SOCKET, 11 /* SO_NO_CHECK */, &one, socklen_t(MemoryLayout<Int32>.size))
        let destination = try topology.address(of: to)

        let arrivals = Locked<[Arrival]>([])
        let done = DispatchSemaphore(value: 0)
        let stopAt = Locked<Int64>(.max)
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 2048)
            var pfd = pollfd(fd: receiver, events: Int16(POLLIN), revents: 0)
            // Stops only once the settle time is over and nothing is left to read, so a reader
            // that was descheduled on a busy machine still counts every datagram that arrived.
            while true {
                guard poll(&pfd, 1, 20) == 1 else {
                    if now() >= stopAt.value { break }
                    continue
                }
                let (n, stamp) = receive(receiver, into: &buffer)
                guard n == size, let t = stamp else { continue }
                let seq = buffer.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 0, as: Int64.self)) }
                let sent = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: Int64.self) }
                let intact = (16..<size).allSatisfy { buffer[$0] == UInt8(truncatingIfNeeded: seq &+ $0) }
                arrivals.mutate { $0.append(Arrival(sequence: seq, oneWay: Double(t &- sent) / 1e6, intact: intact)) }
            }
            done.signal()
        }
        reader.start()
        let interval = 1e9 / rate
        let start = now()
        var packet = [UInt8](repeating: 0, count: size)
        for i in 0..<count {
            let target = start + Int64(Double(i) * interval)
            while true {
                let left = target - now()
                if left <= 0 { break }
                if left > 200_000 { usleep(UInt32((left - 100_000) / 1000)) }
            }
            for j in 16..<size { packet[j] = UInt8(truncatingIfNeeded: i &+ j) }
            packet.withUnsafeMutableBytes {
                $0.storeBytes(of: Int64(i), toByteOffset: 0, as: Int64.self)
                $0.storeBytes(of: realtimeNow(), toByteOffset: 8, as: Int64.self)
            }
            _ = IPv4SocketAddress(destination, port: port).withSockaddr { sendto(sender, packet, size, 0, $0, $1) }
        }
        stopAt.value = now() + Int64(settle * 1e9)
        done.wait()
        return arrivals.value
    }

    /// Sends `bytes` over one TCP connection from `from` to `to:port`; returns the receiver's goodput in bit/s.
    static func tcpGoodput(_ topology: Topology, from: String, to: String, port: UInt16, bytes: Int) throws -> Double {
        let listener = try SocketProbe.listen(on: topology.thread(of: to), topology.address(of: to), port)
        defer { close(listener) }
        let received = Locked<(Int, Int64, Int64)>((0, 0, 0))
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            let peer = accept(listener, nil, nil)
            defer { if peer >= 0 { close(peer) }; done.signal() }
            guard peer >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var total = 0, first: Int64 = 0
            while true {
                let n = recv(peer, &buffer, buffer.count, 0)
                if n <= 0 { break }
                if total == 0 { first = now() }
                total += n
                received.value = (total, first, now())
            }
        }
        reader.start()
        let (outcome, _, fd) = try SocketProbe.connect(from: topology.thread(of: from), to: topology.address(of: to), port)
        guard outcome == .connected else { throw SystemCallError("connecting for goodput", "\(to):\(port)") }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        let chunk = [UInt8](repeating: 7, count: 65_536)
        var sent = 0
        while sent < bytes {
            let n = send(fd, chunk, min(chunk.count, bytes - sent), Int32(MSG_NOSIGNAL))
            if n <= 0 { break }
            sent += n
        }
        close(fd)
        done.wait()
        let (total, first, last) = received.value
        return Double(total * 8) / (Double(last - first) / 1e9)
    }
}

/// A value shared between a test and its reader thread.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    func mutate(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
}

enum Stats {
    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.isEmpty ? .nan : s[s.count / 2]
    }
    /// The sample autocorrelation of `v` at `lag`.
    static func autocorrelation(_ v: [Double], lag: Int) -> Double {
        guard v.count > lag + 1 else { return .nan }
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let covariance = (lag..<v.count).reduce(0) { $0 + (v[$1] - mean) * (v[$1 - lag] - mean) }
        return covariance / variance
    }
    static func standardDeviation(_ v: [Double]) -> Double {
        let mean = v.reduce(0, +) / Double(v.count)
        return (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
    }
}

/// The figures a fidelity test measured, printed whether it passes or not (`fidelity: …` lines in
/// the test log), so every run shows what was asked and what came out, and on which kernel.
enum Fidelity {
    static let kernel: String = {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }
        return ProcessInfo.processInfo.environment["FAULTLINE_GUEST_KERNEL"].map { guest in "\(release), guest" } ?? release
    }()

    /// Measures up to `tries` times until `accept` holds, and returns the accepted measurement or
    /// the last one. A one-off disturbance (the host preempting the guest kernel, another job on
    /// a shared runner) spoils one try of a timing bar; an engine that is wrong misses it every
    /// time, and the test asserts on what it returns.
    static func measure<T>(tries: Int = 3, _ body: () throws -> T, accept: (T) -> Bool) rethrows -> T {
        var last = try body()
        for _ in 1..<max(1, tries) where !accept(last) { last = try body() }
        return last
    }

    static func report(_ what: String, asked: String, measured: String, bar: String) {
        print("fidelity [kernel \(kernel)]: \(what): asked \(asked), measured \(measured) (bar \(bar))")
    }
}
