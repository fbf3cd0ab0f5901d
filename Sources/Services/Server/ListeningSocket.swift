import Foundation
import Glibc
import Netlink

/// A TCP listening socket made inside a host's namespace.
///
/// A socket belongs to the namespace of the thread that created it, so it is created, bound and
/// put to listening on the host's ``NamespaceThread``; the descriptor then goes to SwiftNIO,
/// whose event loops run on ordinary threads and never `setns`.
enum ListeningSocket {
    /// Equivalent to: `socket(AF_INET, SOCK_STREAM)`, `SO_REUSEADDR`, `bind(0.0.0.0:port)`,
    /// `listen(backlog)`, all on `thread`. Returns the descriptor; the caller owns it.
    static func make(port: UInt16, on thread: NamespaceThread, backlog: Int32 = 1024) throws -> Int32 {
        try thread.run {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SystemCallError("creating a listening socket", thread.namespace.name) }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = in_addr(s_addr: INADDR_ANY)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0, listen(fd, backlog) == 0 else {
                let error = SystemCallError("binding port \(port)", thread.namespace.name)
                close(fd)
                throw error
            }
            return fd
        }
    }
}
