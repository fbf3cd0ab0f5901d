import Glibc
import Netlink
import ScenarioFormat

/// Sockets for the DNS server, made on a ``NamespaceThread`` so they belong to the testbed's
/// namespace; SwiftNIO adopts the TCP ones (`withBoundSocket`) and ``DNSDatagramLoop`` reads the
/// UDP ones, each on threads of their own.
enum ListeningSocket {
    /// A UDP socket bound to `address:port`, or a TCP socket bound and listening there.
    /// Equivalent to: `socket(AF_INET, …)`, `bind`, and `listen(fd, 128)` for TCP.
    static func make(_ type: __socket_type, address: IPv4Address, port: UInt16, on thread: NamespaceThread) throws -> Int32 {
        try thread.run {
            let what = "\(type == SOCK_STREAM ? "tcp" : "udp") \(address):\(port) in \(thread.namespace.name)"
            let fd = socket(AF_INET, Int32(type.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SystemCallError("creating DNS socket", what) }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if type == SOCK_DGRAM {
                // Bursts from a load generator must not be dropped while the loop is busy.
                var size: Int32 = 4 << 20
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            sa.sin_addr.s_addr = address.value.bigEndian
            let bound = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let error = SystemCallError("binding DNS socket", what)
                close(fd)
                throw error
            }
            if type == SOCK_STREAM, listen(fd, 128) != 0 {
                let error = SystemCallError("listening on DNS socket", what)
                close(fd)
                throw error
            }
            return fd
        }
    }
}
