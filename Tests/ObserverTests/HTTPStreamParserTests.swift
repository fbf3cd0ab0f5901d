import Testing
@testable import Observer

@Suite struct HTTPStreamParserTests {
    @Test func parsesARequestAndKeepsOnlySelectedHeaders() {
        let text = "GET /v1/kv/config?recurse HTTP/1.1\r\nHost: consul:8500\r\nX-Consul-Token:  s3cret \r\nCookie: secret\r\n\r\n"
        let (heads, parser) = parseHeads([text.bytes], role: .requests)
        #expect(heads.count == 1)
        #expect(heads.first?.startLine == .request(method: "GET", target: "/v1/kv/config?recurse"))
        #expect(heads.first?.headers == ["host": "consul:8500", "x-consul-token": "s3cret"])
        #expect(parser.unparsedBytes == 0 && !parser.hasFailed)
    }

    /// Streams of several messages, and the starts (method or status) the parser must find in them.
    static let streams: [(String, HTTPStreamParser.Role, String, [String])] = [
        ("pipelined GETs", .requests, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n", ["GET /a", "GET /b"]),
        ("POST with a Content-Length body", .requests,
         "POST /x HTTP/1.1\r\nContent-Length: 15\r\n\r\nGET /y HTTP/1.1GET /z HTTP/1.1\r\n\r\n", ["POST /x", "GET /z"]),
        ("chunked request body with extension and trailer", .requests,
         "PUT /k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\nDELETE /k HTTP/1.1\r\n\r\n",
         ["PUT /k", "DELETE /k"]),
        ("bare LF line ends and leading blank lines", .requests, "\r\n\nGET /lf HTTP/1.0\nHost: a\n\n", ["GET /lf"]),
        ("responses with bodies", .responses,
         "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n",
         ["200", "429"]),
        ("chunked response", .responses,
         "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1 503 Unavailable\r\nContent-Length: 0\r\n\r\n",
         ["200", "503"]),
        ("204 and 304 carry no body", .responses,
         "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
         ["204", "304", "200"]),
        ("100 Continue before the answer", .responses,
         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", ["100", "201"]),
    ]

    @Test(arguments: streams)
    func findsEveryMessageWholeAndByteByByte(name: String, role: HTTPStreamParser.Role, text: String, expected: [String]) {
        let whole = parseHeads([text.bytes], role: role)
        let split = parseHeads(text.bytes.map { [$0] }, role: role)
        for (how, result) in [("whole", whole), ("byte by byte", split)] {
            #expect(result.heads.map(describe) == expected, "\(name), \(how)")
            #expect(result.parser.unparsedBytes == 0, "\(name), \(how)")
        }
    }

    @Test func aResponseWithoutLengthRunsToTheClose() {
        let (heads, parser) = parseHeads(["HTTP/1.0 200 OK\r\n\r\nHTTP/1.1 500 not a message\r\n\r\n".bytes], role: .responses)
        #expect(heads.map(describe) == ["200"])
        #expect(parser.unparsedBytes == 0)
    }

    @Test func aResponseToHEADHasNoBodyWhenTheCallerSaysSo() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        let (heads, _) = parseHeads([text.bytes], role: .responses) { _ in .noBody }
        #expect(heads.map(describe) == ["200", "404"])
    }

    /// Inputs that are not HTTP, and how many bytes must be counted unparsed.
    static let garbage: [(String, HTTPStreamParser.Role, [UInt8], Int)] = [
        ("binary on port 80", .requests, [0x16, 0x03, 0x01, 0x02, 0x00, 0x01], 6),
        ("TLS ClientHello-like response", .responses, [0x16, 0x03, 0x03, 0, 0x31], 5),
        ("no space after a long method", .requests, [UInt8](repeating: 0x41, count: 40), 40),
        ("header without colon", .requests, "GET / HTTP/1.1\r\nbroken\r\n\r\n".bytes, 26),
        ("bad version", .requests, "GET / HTTP/2.0\r\n\r\n".bytes, 18),
        ("conflicting Content-Length", .requests, "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n".bytes, 56),
        ("status of two digits", .responses, "HTTP/1.1 20 OK\r\n\r\n".bytes, 18),
        ("bad chunk size", .responses, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nmore".bytes, 8),
    ]

    @Test(arguments: garbage)
    func countsWhatItCannotRead(name: String, role: HTTPStreamParser.Role, bytes: [UInt8], unparsed: Int) {
        let (_, parser) = parseHeads([bytes], role: role)
        #expect(parser.hasFailed, "\(name)")
        #expect(parser.unparsedBytes == unparsed, "\(name)")
    }

    @Test func aHeadCutShortByTheCloseCountsAsUnparsed() {
        var (_, parser) = parseHeads(["GET /half HTTP/1.1\r\nHost:".bytes], role: .requests)
        parser.finish()
        #expect(parser.unparsedBytes == 25)
    }

    @Test func uncapturedBytesInsideABodyAreSkipped() {
        var parser = HTTPStreamParser(role: .responses)
        var statuses: [Int] = []
        let collect: (HTTPMessageHead, Int64) -> HTTPStreamParser.Continuation = { head, _ in
            if case .response(let s) = head.startLine { statuses.append(s) }
            return .body
        }
        "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nxx".bytes.withUnsafeBytes { parser.feed($0, at: 0, onHead: collect) }
        parser.skip(4998)
        "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".bytes.withUnsafeBytes { parser.feed($0, at: 0, onHead: collect) }
        #expect(statuses == [200, 201])
        #expect(!parser.hasFailed)
    }

    @Test func uncapturedBytesMidHeadResyncAtTheNextRequest() {
        var parser = HTTPStreamParser(role: .requests)
        var targets: [String] = []
        let collect: (HTTPMessageHead, Int64) -> HTTPStreamParser.Continuation = { head, _ in
            if case .request(_, let target) = head.startLine { targets.append(target) }
            return .body
        }
        "GET /one HTTP/1.1\r\n\r\nGET /tw".bytes.withUnsafeBytes { parser.feed($0, at: 0, onHead: collect) }
        parser.skip(40)  // the rest of /two and the start of /three went by uncaptured
        "ent: x\r\n\r\nGET /four HTTP/1.1\r\nUser-Agent: x\r\n\r\n".bytes.withUnsafeBytes { parser.feed($0, at: 0, onHead: collect) }
        #expect(targets == ["/one", "/four"])
        #expect(!parser.hasFailed)
    }

    @Test func aHeadLongerThanTheLimitFails() {
        let text = "GET / HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: HTTPStreamParser.maxHeadLength) + "\r\n\r\n"
        let (heads, parser) = parseHeads([text.bytes], role: .requests)
        #expect(heads.isEmpty && parser.hasFailed)
        #expect(parser.unparsedBytes == text.utf8.count)
    }

    func describe(_ head: HTTPMessageHead) -> String {
        switch head.startLine {
        case .request(let method, let target): "\(method) \(target)"
        case .response(let status): "\(status)"
        }
    }
}
