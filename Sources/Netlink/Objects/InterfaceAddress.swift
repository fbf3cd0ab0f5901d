/// An IPv4 address on a device. Equivalent to: `ip -n NS address add PREFIX dev DEVICE`.
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    public var prefix: IPv4Prefix
    public var device: String

    public init(_ prefix: IPv4Prefix, device: String) {
        self.prefix = prefix
        self.device = device
    }

    /// The arguments after `ip -n NS`.
    public var description: String { "address add \(prefix.addressText)/\(prefix.length) dev \(device)" }
}
