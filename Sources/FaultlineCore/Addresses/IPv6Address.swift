import Glibc

/// An IPv6 address as its 16 bytes in network order (`2001:db8::1`).
public struct IPv6Address: Hashable, Sendable, Codable, CustomStringConvertible {
    public var bytes: [UInt8]

    /// - Precondition: 16 bytes.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 16, "an IPv6 address has 16 bytes")
        self.bytes = bytes
    }

    /// Parses any textual form `inet_pton(AF_INET6)` accepts; nil otherwise.
    public init?(parsing text: String) {
        var storage = in6_addr()
        guard text.contains(":"), inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
        self.bytes = withUnsafeBytes(of: &storage) { Array($0) }
    }

    /// The canonical (RFC 5952) text form, from `inet_ntop`.
    public var description: String {
        var storage = in6_addr()
        withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return "::" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let a = IPv6Address(parsing: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an IPv6 address: \(s)")
        }
        self = a
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
