/// Parses the bytes of one complete message head (start line through the empty line).
///
/// Lenient where real peers are (bare LF line ends, leading empty lines, spaces around header
/// values), strict where framing depends on it (Content-Length must be digits and agree).
enum HTTPHeadParser {
    /// Returns nil when the head is not HTTP/1.x.
    static func parse(_ head: [UInt8], role: HTTPStreamParser.Role) -> HTTPMessageHead? {
        var lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            line.last == 0x0D ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        guard let first = lines.first else { return nil }
        let parts = first.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
        var message: HTTPMessageHead
        switch role {
        case .requests:
            guard parts.count == 3, isToken(parts[0]), let minor = version(parts[2]), !parts[1].isEmpty else { return nil }
            message = HTTPMessageHead(
                startLine: .request(method: text(parts[0]), target: text(parts[1].prefix(2048))),
                minorVersion: minor, headers: [:], contentLength: nil, chunked: false, otherTransferEncoding: false)
        case .responses:
            guard parts.count >= 2, let minor = version(parts[0]), parts[1].count == 3,
                parts[1].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let status = Int(text(parts[1]))
            else { return nil }
            message = HTTPMessageHead(
                startLine: .response(status: status), minorVersion: minor, headers: [:], contentLength: nil,
                chunked: false, otherTransferEncoding: false)
        }
        for line in lines.dropFirst() {
            // obs-fold continuation lines carry nothing the observer keeps.
            if line.first == 0x20 || line.first == 0x09 { continue }
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex else { return nil }
            let name = line[line.startIndex..<colon]
            guard isToken(name) else { return nil }
            let key = text(name).lowercased()
            let value = trimmed(line[(colon + 1)...])
            switch key {
            case "content-length":
                guard !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                    let n = Int(text(value)), message.contentLength == nil || message.contentLength == n
                else { return nil }
                message.contentLength = n
            case "transfer-encoding":
                let codings = text(value).lowercased().split(separator: ",").map { $0.trimmingSpaces }
                message.chunked = codings.last == "chunked"
                message.otherTransferEncoding = !message.chunked
            default:
                break
            }
            if HTTPMessageHead.keptHeaders.contains(key) {
                message.headers[key] = text(value.prefix(HTTPMessageHead.maxValueLength))
            }
        }
        return message
    }

    /// `HTTP/1.x` → x.
    private static func version(_ bytes: ArraySlice<UInt8>) -> Int? {
        let prefix: [UInt8] = Array("HTTP/1.".utf8)
        guard bytes.count == 8, bytes.starts(with: prefix), let last = bytes.last, last >= 0x30, last <= 0x39 else { return nil }
        return Int(last - 0x30)
    }

    /// RFC 9110 `token` characters.
    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }

    private static func isToken(_ bytes: ArraySlice<UInt8>) -> Bool { !bytes.isEmpty && bytes.allSatisfy(isTokenByte) }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = bytes
        while let f = s.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
        return s
    }

    /// Bytes as text; anything not UTF-8 becomes U+FFFD rather than failing.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
