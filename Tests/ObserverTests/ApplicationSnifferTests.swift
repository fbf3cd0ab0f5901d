import RunHistory
import Testing
@testable import Observer

struct ApplicationSnifferTests {
    /// A TLS 1.2 record header of a ClientHello (handshake, version 3.1) and its first bytes.
    static let clientHello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]

    @Test(arguments: [
        (Array("GET /v1/kv/a HTTP/1.1\r\n".utf8), ApplicationProtocol.http1),
        (Array("DELETE /x HTTP/1.1\r\n".utf8), .http1),
        (Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8), .http2),
        (clientHello, .tls),
        ([0x16, 0x07, 0x00, 0x00], .other),
        (Array("*1\r\n$4\r\nPING\r\n".utf8), .other),
        ([0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f], .other),
    ])
    func theFirstClientBytesTellWhatAConnectionCarries(bytes: [UInt8], expected: ApplicationProtocol) {
        var sniffer = ApplicationSniffer()
        let got = bytes.withUnsafeBytes { sniffer.feed($0) }
        #expect(got == expected)
    }

    /// Segments may split the first bytes anywhere; the decision waits until they can only mean one thing.
    @Test(arguments: [("PO", "ST /a HTTP/1.1\r\n", ApplicationProtocol.http1), ("PRI * HT", "TP/2.0\r\n\r\nSM", .http2), ("\u{16}", "\u{03}\u{03}..", .tls)])
    func aSplitPrefixIsDecidedOnceItIsLongEnough(first: String, second: String, expected: ApplicationProtocol) {
        var sniffer = ApplicationSniffer()
        #expect(Array(first.utf8).withUnsafeBytes { sniffer.feed($0) } == nil)
        #expect(Array(second.utf8).withUnsafeBytes { sniffer.feed($0) } == expected)
        #expect(Array("more".utf8).withUnsafeBytes { sniffer.feed($0) } == nil, "decided once")
    }

    @Test func aClientThatStopsShortIsDecidedOnWhatItSent() {
        var sniffer = ApplicationSniffer()
        #expect(Array("PU".utf8).withUnsafeBytes { sniffer.feed($0) } == nil)
        #expect(sniffer.finish() == .other)
        var silent = ApplicationSniffer()
        #expect(silent.finish() == nil, "no bytes: nothing to tell")
    }
}
