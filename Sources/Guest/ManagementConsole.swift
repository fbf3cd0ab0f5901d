import Foundation
import Glibc

/// The guest kernel's management console (`mconsole`): a datagram socket the kernel opens in its
/// run folder, answering requests such as `version`, `cad` (ctrl-alt-del) and `halt`. What
/// `uml_mconsole SOCKET COMMAND` does, without the extra package.
///
/// Wire format (arch/um/include/shared/mconsole.h): a request is magic 0xcafebabe, version 2,
/// length, then up to 512 bytes of command; a reply is error, more, length, then data.
enum ManagementConsole {
    static let magic: UInt32 = 0xcafe_babe
    static let version: UInt32 = 2
    static let maxData = 512

    /// A request datagram: magic, version and length in the host's byte order (the kernel is
    /// this machine's), then the command without its terminating zero.
    static func request(_ command: String) -> [UInt8] {
        let text = Array(command.utf8.prefix(maxData - 1))
        var bytes: [UInt8] = []
        for value in [magic, version, UInt32(text.count)] { withUnsafeBytes(of: value) { bytes += $0 } }
        return bytes + text
    }

    /// Sends `command` to the console at `socketPath` and returns the reply's text.
    static func send(_ command: String, to socketPath: String, timeoutSeconds: Int = 2) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw GuestError.systemCall("opening a socket for the guest console", socketPath) }
        defer { close(fd) }
        // Autobind to an abstract address: the kernel replies to whoever asked.
        var own = sockaddr_un()
        own.sun_family = sa_family_t(AF_UNIX)
        let bound = withUnsafePointer(to: &own) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sa_family_t>.size)) }
        }
        guard bound == 0 else { throw GuestError.systemCall("binding a socket for the guest console", socketPath) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let request = Self.request(command)

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw GuestError.systemCall("addressing the guest console", socketPath, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, request, request.count, 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard sent >= 0 else { throw GuestError.systemCall("sending '\(command)' to the guest console", socketPath) }
        var reply = [UInt8](repeating: 0, count: 12 + maxData)
        let n = recv(fd, &reply, reply.count, 0)
        guard n >= 12 else { throw GuestError.systemCall("reading the guest console's reply to '\(command)'", socketPath) }
        let length = min(Int(reply.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) }), n - 12)
        return String(decoding: reply[12..<12 + length], as: UTF8.self)
    }
}
