import FaultlineCore
import Glibc
import LinuxSystem
import Testing

struct IPv4SocketAddressTests {
    @Test func theKernelFormIsInNetworkByteOrderAndReadsBack() {
        let address = IPv4SocketAddress(IPv4Address(parsing: "198.18.0.2")!, port: 8080)
        let raw = address.raw
        #expect(raw.sin_family == sa_family_t(AF_INET))
        #expect(raw.sin_port == UInt16(8080).bigEndian)
        #expect(raw.sin_addr.s_addr == UInt32(0xC612_0002).bigEndian)
        #expect(IPv4SocketAddress(raw) == address)
        #expect(address.description == "198.18.0.2:8080")
    }

    /// A real loopback round trip: bind, send to it, and read the sender back from `recvfrom`.
    @Test func aDatagramToABoundSocketNamesItsSender() throws {
        let receiver = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let sender = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(receiver); close(sender) }
        #expect(bind(receiver, to: .loopback(port: 0)) == 0)
        #expect(bind(sender, to: .loopback(port: 0)) == 0)
        let (_, bound) = IPv4SocketAddress.filling { getsockname(receiver, $0, $1) }
        let (_, from) = IPv4SocketAddress.filling { getsockname(sender, $0, $1) }
        #expect(bound.port != 0)
        var byte: UInt8 = 42
        #expect(send(sender, &byte, count: 1, to: bound) == 1)
        var buffer = [UInt8](repeating: 0, count: 8)
        let (n, who) = buffer.withUnsafeMutableBytes { receive(receiver, into: $0.baseAddress!, count: $0.count) }
        #expect(n == 1 && buffer[0] == 42)
        #expect(who == from)
        #expect(who.address.description == "127.0.0.1")
    }
}
