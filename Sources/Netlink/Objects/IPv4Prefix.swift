import FaultlineCore
/// An IPv4 address with a prefix length, as netlink carries it: `198.18.0.2/32`.
/// The address is a 32-bit number in host byte order, as ``IPv4Address`` holds it.
public struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible {
    public var address: UInt32
    public var length: UInt8

    /// `length` must be 0...32; a larger value is clamped to 32.
    public init(address: UInt32, length: UInt8 = 32) {
        self.address = address
        self.length = min(length, 32)
    }

    /// The default route's destination, `0.0.0.0/0`.
    public static let any = IPv4Prefix(address: 0, length: 0)

    /// Dotted quad without the length: `198.18.0.2`.
    public var addressText: String { IPv4Address(address).description }

    /// `198.18.0.2/32`, or `default` for `0.0.0.0/0`, as `ip` prints them.
    public var description: String { length == 0 && address == 0 ? "default" : "\(addressText)/\(length)" }

    /// The address bytes in network byte order.
    var networkBytes: [UInt8] {
        [UInt8(address >> 24 & 255), UInt8(address >> 16 & 255), UInt8(address >> 8 & 255), UInt8(address & 255)]
    }
}
