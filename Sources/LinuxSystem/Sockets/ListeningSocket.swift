import FaultlineCore
import Glibc

/// Listening sockets made inside a namespace, for the DNS server and the stand-in services.
///
/// A socket belongs to the namespace of the thread that created it, so it is created, bound and
/// put to listening on a ``NamespaceThread``; the descriptor then goes to SwiftNIO or to a
/// datagram loop, whose threads never `setns`.
public enum ListeningSocket {
    public enum Kind: Sendable, CustomStringConvertible {
        /// `SOCK_STREAM`, bound and listening with this backlog.
        case tcp(backlog: Int32)
        /// `SOCK_DGRAM`, with this receive buffer (bytes), so bursts are not dropped while the
        /// reader is busy.
        case udp(receiveBuffer: Int32)

        public var description: String {
            switch self {
            case .tcp: "tcp"
            case .udp: "udp"
            }
        }
    }

    /// A socket of `kind` bound to `address`, made on `thread`; `SO_REUSEADDR`, close-on-exec,
    /// and non-blocking when `nonBlocking`. The caller owns the descriptor.
    ///
    /// Equivalent to: `socket(AF_INET, …)`, `setsockopt(SO_REUSEADDR)`, `bind`, and `listen` for TCP.
    public static func make(
        _ kind: Kind, at address: IPv4SocketAddress, nonBlocking: Bool = false, on thread: NamespaceThread
    ) throws -> Int32 {
        try thread.run {
            let what = "\(kind) \(address) in \(thread.namespace.name)"
            var type: Int32
            switch kind {
            case .tcp: type = Int32(SOCK_STREAM.rawValue)
            case .udp: type = Int32(SOCK_DGRAM.rawValue)
            }
            type |= Int32(SOCK_CLOEXEC.rawValue)
            if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
            let fd = socket(AF_INET, type, 0)
            guard fd >= 0 else { throw SystemCallError("creating a socket", what) }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if case .udp(var size) = kind {
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            guard bind(fd, to: address) == 0 else {
                let error = SystemCallError("binding a socket", what)
                close(fd)
                throw error
            }
            if case .tcp(let backlog) = kind, listen(fd, backlog) != 0 {
                let error = SystemCallError("listening on a socket", what)
                close(fd)
                throw error
            }
            return fd
        }
    }
}
