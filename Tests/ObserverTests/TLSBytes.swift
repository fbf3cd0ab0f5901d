@testable import Observer

/// Hand-built TLS records: hellos with the extensions the observer reads, the records each side
/// sends after them (their sizes as real stacks send them), alerts.
enum TLSBytes {
    static func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func record(_ type: TLSRecordReader.ContentType, _ fragment: [UInt8]) -> [UInt8] {
        [type.rawValue, 3, 3] + u16(fragment.count) + fragment
    }

    static func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        [type, UInt8(body.count >> 16 & 0xFF), UInt8(body.count >> 8 & 0xFF), UInt8(body.count & 0xFF)] + body
    }

    static func ext(_ type: UInt16, _ data: [UInt8]) -> [UInt8] { u16(Int(type)) + u16(data.count) + data }

    static func vector1(_ bytes: [UInt8]) -> [UInt8] { [UInt8(bytes.count)] + bytes }
    static func vector2(_ bytes: [UInt8]) -> [UInt8] { u16(bytes.count) + bytes }

    static func alpnList(_ names: [String]) -> [UInt8] { vector2(names.flatMap { vector1(Array($0.utf8)) }) }

    /// A ClientHello as a browser's: a session id, two suites, SNI, ALPN, supported_versions with GREASE.
    static func clientHello(serverName: String? = "api", alpn: [String] = ["h2", "http/1.1"], versions: [UInt16]? = [0x0A0A, 0x0304, 0x0303]) -> [UInt8] {
        var extensions: [UInt8] = []
        if let serverName { extensions += ext(0, vector2([0] + vector2(Array(serverName.utf8)))) }
        if !alpn.isEmpty { extensions += ext(16, alpnList(alpn)) }
        if let versions { extensions += ext(43, vector1(versions.flatMap { u16(Int($0)) })) }
        extensions += ext(0x0A0A, [])
        let body = u16(0x0303) + [UInt8](repeating: 7, count: 32) + vector1([UInt8](repeating: 1, count: 32))
            + vector2([0x13, 0x01, 0xC0, 0x2F]) + vector1([0]) + vector2(extensions)
        return record(.handshake, handshake(1, body))
    }

    /// A ServerHello choosing `version` (TLS 1.3 says it in supported_versions), and for TLS 1.2 an ALPN protocol.
    static func serverHello(version: UInt16, alpn: String? = nil, retry: Bool = false) -> [UInt8] {
        var extensions: [UInt8] = []
        if version == 0x0304 { extensions += ext(43, u16(0x0304)) }
        if let alpn { extensions += ext(16, alpnList([alpn])) }
        let random = retry ? TLSHello.helloRetryRandom : [UInt8](repeating: 9, count: 32)
        let body = u16(0x0303) + random + vector1([UInt8](repeating: 1, count: 32)) + [0x13, 0x01, 0] + vector2(extensions)
        return record(.handshake, handshake(2, body))
    }

    /// TLS 1.2's Certificate, ServerKeyExchange and ServerHelloDone, in one record.
    static let serverFlight12 = record(.handshake, handshake(11, [UInt8](repeating: 0x30, count: 900)) + handshake(12, [UInt8](repeating: 4, count: 100)) + handshake(14, []))
    static let changeCipherSpec = record(.changeCipherSpec, [1])
    /// An encrypted Finished (TLS 1.2: a handshake record of 40 bytes).
    static let finished12 = record(.handshake, [UInt8](repeating: 0xEE, count: 40))
    /// TLS 1.3's encrypted flight: EncryptedExtensions … Finished, as application data.
    static let serverFlight13 = record(.applicationData, [UInt8](repeating: 0xAB, count: 1200))
    /// TLS 1.3's client Finished: 32 bytes of MAC, its header, the inner type and a 16-byte tag.
    static let clientFinished13 = record(.applicationData, [UInt8](repeating: 0xCD, count: 53))
    /// TLS 1.3's encrypted alert: 2 bytes, the inner type and the tag.
    static let encryptedAlert13 = record(.applicationData, [UInt8](repeating: 0xCD, count: 19))

    static func alert(_ code: UInt8, fatal: Bool = true) -> [UInt8] { record(.alert, [fatal ? 2 : 1, code]) }
}
