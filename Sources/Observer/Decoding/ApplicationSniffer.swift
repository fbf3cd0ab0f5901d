import RunHistory

/// Tells what a TCP connection carries from the client's first bytes: an HTTP/1.x request line,
/// the HTTP/2 preface, a TLS handshake record, or something else. Pure; fed in order.
struct ApplicationSniffer {
    /// The client's first bytes, kept until they decide.
    private var prefix: [UInt8] = []
    private(set) var decided: ApplicationProtocol?

    static let http2Preface = Array("PRI * HTTP/2.0\r\n".utf8)
    static let methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"].map { Array(($0 + " ").utf8) }
    /// Enough to tell every case apart (the preface's first line is the longest).
    static let enough = http2Preface.count

    /// Takes the next in-order client bytes; returns the protocol the moment it is known.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> ApplicationProtocol? {
        guard decided == nil, !bytes.isEmpty else { return nil }
        prefix += bytes.prefix(Self.enough - prefix.count)
        decided = Self.classify(prefix, complete: prefix.count >= Self.enough)
        return decided
    }

    /// The bytes stopped (the connection closed) before deciding: what the prefix says, if anything.
    mutating func finish() -> ApplicationProtocol? {
        guard decided == nil, !prefix.isEmpty else { return nil }
        decided = Self.classify(prefix, complete: true)
        return decided
    }

    /// nil while `bytes` could still begin more than one thing.
    static func classify(_ bytes: [UInt8], complete: Bool) -> ApplicationProtocol? {
        // A TLS record: content type 22 (handshake), version 3.x.
        if bytes.count >= 1 && bytes[0] == 0x16 {
            if bytes.count < 3 { return complete ? .other : nil }
            return bytes[1] == 0x03 && bytes[2] <= 0x04 ? .tls : .other
        }
        if isPrefix(bytes, of: http2Preface) || isPrefix(http2Preface, of: bytes) {
            if bytes.count >= http2Preface.count { return .http2 }
            return complete ? .other : nil
        }
        for method in methods {
            if isPrefix(method, of: bytes) { return .http1 }
            if isPrefix(bytes, of: method) { return complete ? .other : nil }
        }
        return .other
    }

    private static func isPrefix(_ a: [UInt8], of b: [UInt8]) -> Bool {
        a.count <= b.count && zip(a, b).allSatisfy { $0 == $1 }
    }
}
