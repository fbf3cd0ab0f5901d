import FaultlineCore
import Glibc

/// An IPv4 socket address: the one place a `sockaddr_in` is built or read, so no caller
/// rebinds memory or swaps byte orders itself.
public struct IPv4SocketAddress: Sendable, Hashable, CustomStringConvertible {
    public var address: IPv4Address
    public var port: UInt16

    public init(_ address: IPv4Address, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// `0.0.0.0:port`: every address of the namespace the socket is made in.
    public static func any(port: UInt16) -> IPv4SocketAddress { IPv4SocketAddress(IPv4Address(0), port: port) }

    /// `127.0.0.1:port`.
    public static func loopback(port: UInt16) -> IPv4SocketAddress { IPv4SocketAddress(IPv4Address(0x7F00_0001), port: port) }

    /// The address a kernel call filled in (`recvfrom`, `accept`, `getsockname`).
    public init(_ raw: sockaddr_in) {
        self.init(IPv4Address(UInt32(bigEndian: raw.sin_addr.s_addr)), port: UInt16(bigEndian: raw.sin_port))
    }

    /// The kernel's form, in network byte order.
    public var raw: sockaddr_in {
        sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: port.bigEndian,
                    sin_addr: in_addr(s_addr: address.value.bigEndian), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
    }

    public var description: String { "\(address):\(port)" }

    /// Calls `body` with this address as the `sockaddr` pointer and length that `bind`, `connect`
    /// and `sendto` take.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var raw = self.raw
        return try withUnsafePointer(to: &raw) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// Calls `body` with room for an address the kernel fills in, and returns what it filled in.
    public static func filling<R>(
        _ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) throws -> R
    ) rethrows -> (result: R, address: IPv4SocketAddress) {
        var raw = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = try withUnsafeMutablePointer(to: &raw) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, &length) }
        }
        return (result, IPv4SocketAddress(raw))
    }
}

/// `bind(2)` to a typed address; 0 or -1 with `errno` set, as the call itself.
public func bind(_ fd: Int32, to address: IPv4SocketAddress) -> Int32 {
    address.withSockaddr { Glibc.bind(fd, $0, $1) }
}

/// `connect(2)` to a typed address; 0 or -1 with `errno` set, as the call itself.
public func connect(_ fd: Int32, to address: IPv4SocketAddress) -> Int32 {
    address.withSockaddr { Glibc.connect(fd, $0, $1) }
}

/// `sendto(2)` a buffer to a typed address; the byte count or -1, as the call itself.
public func send(_ fd: Int32, _ bytes: UnsafeRawPointer, count: Int, to address: IPv4SocketAddress) -> Int {
    address.withSockaddr { Glibc.sendto(fd, bytes, count, 0, $0, $1) }
}

/// `recvfrom(2)` into a buffer; the byte count (or -1) and who sent it.
public func receive(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> (count: Int, from: IPv4SocketAddress) {
    let (n, from) = IPv4SocketAddress.filling { Glibc.recvfrom(fd, buffer, count, 0, $0, $1) }
    return (n, from)
}
