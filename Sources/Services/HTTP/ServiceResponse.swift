import NIOCore
import NIOHTTP1

/// An answer a stand-in writes: status, headers, body.
public struct ServiceResponse: Sendable, Equatable {
    public var status: Int
    /// Headers in order; `Content-Length` and `Connection` are added when encoding.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, headers: [(name: String, value: String)] = [], text: String) {
        self.init(status: status, headers: headers, body: Array(text.utf8))
    }

    public static func == (a: ServiceResponse, b: ServiceResponse) -> Bool {
        a.status == b.status && a.body == b.body && a.headers.elementsEqual(b.headers) { $0 == $1 }
    }

    /// The first header of that name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The whole response (status line, headers, body) in one buffer, so it goes out in one
    /// write: headers and body written apart meet Nagle and delayed ACK (≈ 40 ms on keep-alive).
    ///
    /// - Parameter includeBody: false for HEAD (the length is still announced).
    public func encoded(keepAlive: Bool, includeBody: Bool = true, allocator: ByteBufferAllocator = .init()) -> ByteBuffer {
        let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
        var head = "HTTP/1.1 \(status) \(reason)\r\n"
        for h in headers { head += "\(h.name): \(h.value)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        var buffer = allocator.buffer(capacity: head.utf8.count + (includeBody ? body.count : 0))
        buffer.writeString(head)
        if includeBody { buffer.writeBytes(body) }
        return buffer
    }
}
