import Testing
@testable import Observer

/// Inputs that once broke (or nearly broke) a parser, kept as regression tests: each is parsed
/// without trapping and with its bytes accounted for.
@Suite struct NastyInputTests {
    static let http: [(String, HTTPStreamParser.Role, String)] = [
        ("huge Content-Length", .requests, "POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\nabc"),
        ("Content-Length overflowing Int", .requests, "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"),
        ("negative Content-Length", .responses, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
        ("huge chunk size", .responses, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nab"),
        ("chunk size overflowing Int", .responses, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"),
        ("NUL bytes in a header", .requests, "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"),
        ("invalid UTF-8 in the target", .requests, "GET /\u{FF}\u{FE} HTTP/1.1\r\n\r\n"),
        ("only line ends", .requests, String(repeating: "\r\n", count: 5000)),
        ("colon first", .requests, "GET / HTTP/1.1\r\n: value\r\n\r\n"),
        ("101 then binary", .responses, "HTTP/1.1 101 Switching Protocols\r\n\r\n\u{0}\u{1}\u{2}"),
        ("status line only LF", .responses, "HTTP/1.1 204 No Content\n\n"),
        ("empty method", .requests, " / HTTP/1.1\r\n\r\n"),
        ("obs-fold", .requests, "GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n"),
    ]

    @Test(arguments: http)
    func httpInputIsReadOrCounted(name: String, role: HTTPStreamParser.Role, text: String) {
        for split in [1, 3, 1000] {
            let bytes = Array(text.utf8)
            var parser = HTTPStreamParser(role: role)
            var offset = 0
            while offset < bytes.count {
                let size = min(split, bytes.count - offset)
                bytes[offset..<offset + size].withUnsafeBytes { parser.feed($0, at: 0) { _, _ in .body } }
                offset += size
            }
            parser.finish()
            #expect(parser.unparsedBytes <= bytes.count, "\(name)")
            #expect(parser.messages > 0 || parser.unparsedBytes > 0 || bytes.allSatisfy { $0 == 0x0D || $0 == 0x0A }, "\(name)")
        }
    }

    static let frames: [(String, Int32, [UInt8])] = [
        ("IPv4 total length below the header", 113, PacketBuilder.sll() + [0x45, 0, 0, 10] + [UInt8](repeating: 0, count: 16)),
        ("TCP data offset 15 in a short packet", 12, PacketBuilder.ipv4(from: 1, to: 2, protocolNumber: 6, payload: [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x02, 0, 0, 0, 0, 0, 0])),
        ("IPv6 version in a raw frame", 12, [0x60] + [UInt8](repeating: 0, count: 39)),
        ("unknown link type", 9999, [1, 2, 3]),
        ("802.1Q tag cut short", 1, [UInt8](repeating: 0, count: 12) + [0x81, 0x00, 0x00]),
        ("total length beyond the capture", 113, PacketBuilder.sll() + [0x45, 0, 0xFF, 0xFF, 0, 0, 0, 0, 64, 6, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2] + PacketBuilder.tcpHeader(1, 80, seq: 0, ack: 0, flags: [.psh, .ack])),
    ]

    @Test(arguments: frames)
    func frameIsDecodedOrCounted(name: String, linkType: Int32, frame: [UInt8]) {
        let analyzer = TrafficAnalyzer(hostNames: [:]) { _, _ in }
        frame.withUnsafeBytes { analyzer.process($0, linkType: linkType, at: 0) }
        #expect(analyzer.counters.frames == 1, "\(name)")
    }
}
