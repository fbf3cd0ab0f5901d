import FaultlineCore
@testable import ScenarioFormat
import Testing

struct IPv4NetworkTests {
    @Test(arguments: [
        ("198.18.0.0/24", "198.18.0.0", 24, UInt64(256)),
        ("10.0.0.0/8", "10.0.0.0", 8, UInt64(1 << 24)),
        ("198.18.0.0/30", "198.18.0.0", 30, UInt64(4)),
        ("0.0.0.0/0", "0.0.0.0", 0, UInt64(1) << 32),
        ("192.168.1.7/32", "192.168.1.7", 32, UInt64(1)),
    ])
    func parsesPrefixes(text: String, address: String, prefix: Int, size: UInt64) {
        let n = IPv4Network(parsing: text)
        #expect(n?.address.description == address)
        #expect(n?.prefixLength == prefix)
        #expect(n?.size == size)
        #expect(n?.description == text)
    }

    @Test(arguments: [
        "198.18.0.1/24", "198.18.0.0", "198.18.0.0/33", "198.18.0/24", "256.0.0.0/8", "a.b.c.d/8",
        "198.18.0.0/-1", "",
    ])
    func rejectsMalformedOrHostBitsSet(text: String) {
        #expect(IPv4Network(parsing: text) == nil)
    }

    @Test func numbersAddressesFromTheNetworkAddress() {
        #expect(IPv4Network.defaultTestbed.address(at: 1).description == "198.18.0.1")
        #expect(IPv4Network.defaultTestbed.address(at: 255).description == "198.18.0.255")
    }
}
