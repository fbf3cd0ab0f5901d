/// What a ClientHello or ServerHello says in the clear (RFC 8446 §4.1.2–4.1.3, RFC 6066 §3
/// server_name, RFC 7301 ALPN, RFC 8446 §4.2.1 supported_versions). Pure; malformed input gives nil.
struct TLSHello: Equatable {
    /// SNI: the server name the client asked for.
    var serverName: String?
    /// ALPN: the protocols offered (ClientHello) or the one chosen (ServerHello).
    var alpn: [String] = []
    /// The versions offered (ClientHello, from supported_versions, else the legacy version) or the
    /// one chosen (ServerHello: supported_versions if present, else the legacy version).
    var versions: [UInt16] = []
    /// A ServerHello that is really a HelloRetryRequest (its random is the RFC's fixed value).
    var helloRetryRequest = false

    static let extServerName: UInt16 = 0
    static let extALPN: UInt16 = 16
    static let extSupportedVersions: UInt16 = 43
    /// SHA-256 of "HelloRetryRequest" (RFC 8446 §4.1.3).
    static let helloRetryRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    /// A ClientHello's body (after the 4-byte handshake header).
    static func client(_ body: ArraySlice<UInt8>) -> TLSHello? {
        var r = TLSCursor(body)
        guard let legacy = r.u16(), r.skip(32), r.skipVector(lengthBytes: 1), r.skipVector(lengthBytes: 2),
            r.skipVector(lengthBytes: 1) else { return nil }
        var hello = TLSHello()
        guard hello.readExtensions(&r, client: true) else { return nil }
        if hello.versions.isEmpty { hello.versions = [legacy] }
        return hello
    }

    /// A ServerHello's body (after the 4-byte handshake header).
    static func server(_ body: ArraySlice<UInt8>) -> TLSHello? {
        var r = TLSCursor(body)
        guard let legacy = r.u16(), let random = r.bytes(32), r.skipVector(lengthBytes: 1), r.skip(3) else { return nil }
        var hello = TLSHello()
        hello.helloRetryRequest = Array(random) == helloRetryRandom
        // Extensions are optional in a TLS 1.2 ServerHello.
        if !r.atEnd { guard hello.readExtensions(&r, client: false) else { return nil } }
        if hello.versions.isEmpty { hello.versions = [legacy] }
        return hello
    }

    private mutating func readExtensions(_ r: inout TLSCursor, client: Bool) -> Bool {
        guard let block = r.vector(lengthBytes: 2) else { return false }
        var e = TLSCursor(block)
        while !e.atEnd {
            guard let type = e.u16(), let data = e.vector(lengthBytes: 2) else { return false }
            var d = TLSCursor(data)
            switch type {
            case Self.extServerName where client:
                // server_name_list: entries of type (0 = host_name) and a 16-bit name.
                guard let list = d.vector(lengthBytes: 2) else { return false }
                var l = TLSCursor(list)
                while !l.atEnd {
                    guard let kind = l.u8(), let name = l.vector(lengthBytes: 2) else { return false }
                    if kind == 0, serverName == nil { serverName = String(decoding: name, as: UTF8.self) }
                }
            case Self.extALPN:
                guard let list = d.vector(lengthBytes: 2) else { return false }
                var l = TLSCursor(list)
                while !l.atEnd {
                    guard let name = l.vector(lengthBytes: 1) else { return false }
                    alpn.append(String(decoding: name, as: UTF8.self))
                }
            case Self.extSupportedVersions:
                if client {
                    guard let list = d.vector(lengthBytes: 1), list.count % 2 == 0 else { return false }
                    var l = TLSCursor(list)
                    while let v = l.u16() {
                        if !TLSVersion.isGrease(v) { versions.append(v) }
                    }
                } else {
                    guard let v = d.u16() else { return false }
                    versions = [v]
                }
            default: break
            }
        }
        return true
    }
}

/// Bounds-checked big-endian reads over a slice: every read gives nil past the end.
struct TLSCursor {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { bytes.isEmpty }

    mutating func u8() -> UInt8? { bytes.popFirst() }

    mutating func u16() -> UInt16? {
        guard bytes.count >= 2 else { return nil }
        defer { bytes = bytes.dropFirst(2) }
        return UInt16(bytes[bytes.startIndex]) << 8 | UInt16(bytes[bytes.startIndex + 1])
    }

    mutating func bytes(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, bytes.count >= n else { return nil }
        defer { bytes = bytes.dropFirst(n) }
        return bytes.prefix(n)
    }

    mutating func skip(_ n: Int) -> Bool { bytes(n) != nil }

    /// A vector with a 1-, 2- or 3-byte length.
    mutating func vector(lengthBytes: Int) -> ArraySlice<UInt8>? {
        guard bytes.count >= lengthBytes else { return nil }
        var length = 0
        for _ in 0..<lengthBytes { length = length << 8 | Int(bytes.popFirst()!) }
        return self.bytes(length)
    }

    mutating func skipVector(lengthBytes: Int) -> Bool { vector(lengthBytes: lengthBytes) != nil }
}
