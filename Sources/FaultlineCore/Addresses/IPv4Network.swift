import Foundation

/// An IPv4 address as a 32-bit number in host byte order.
public struct IPv4Address: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let octet = UInt8(p) else { return nil }
            v = v << 8 | UInt32(octet)
        }
        self.value = v
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
    public var description: String {
        "\(value >> 24 & 255).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let a = IPv4Address(parsing: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an IPv4 address: \(s)")
        }
        self = a
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// An IPv4 prefix such as `198.18.0.0/24`.
public struct IPv4Network: Hashable, Sendable, Codable, CustomStringConvertible {
    public var address: IPv4Address
    public var prefixLength: Int

    /// 198.18.0.0/15 is reserved for network test beds (RFC 2544); Faultline numbers hosts from its first /24.
    public static let defaultTestbed = IPv4Network(address: IPv4Address(0xC612_0000), prefixLength: 24)

    public init(address: IPv4Address, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `a.b.c.d/n` with host bits zero; nil otherwise.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let a = IPv4Address(parsing: String(parts[0])),
              let n = Int(parts[1]), (0...32).contains(n) else { return nil }
        let mask: UInt32 = n == 0 ? 0 : ~UInt32(0) << (32 - n)
        guard a.value & ~mask == 0 else { return nil }
        self.init(address: a, prefixLength: n)
    }

    /// How many addresses the block holds.
    public var size: UInt64 { 1 << UInt64(32 - prefixLength) }

    /// The `n`th address of the block (0 is the network address itself).
    public func address(at n: UInt32) -> IPv4Address { IPv4Address(address.value &+ n) }

    public var description: String { "\(address)/\(prefixLength)" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let n = IPv4Network(parsing: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an IPv4 prefix: \(s)")
        }
        self = n
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
