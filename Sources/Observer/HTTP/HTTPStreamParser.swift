/// An incremental HTTP/1.x parser for one direction of one TCP connection, fed the in-order
/// payload as it arrives.
///
/// It hands each message head to the caller and skips bodies (Content-Length, chunked, or up to
/// the close) without storing them, so its memory is bounded by ``maxHeadLength`` however long
/// the connection lives. Bytes it cannot read as HTTP are counted in ``unparsedBytes``; after
/// the first such byte it counts the rest of the stream too and never parses again.
public struct HTTPStreamParser: Sendable {
    /// Which side of the conversation this stream carries.
    public enum Role: Sendable { case requests, responses }

    /// What the caller wants after a head.
    public enum Continuation: Sendable {
        /// Skip the body the headers announce.
        case body
        /// The message has no body whatever its headers say (a response to HEAD).
        case noBody
        /// The stream stops being HTTP (101 Switching Protocols, CONNECT): ignore the rest.
        case stop
    }

    /// The longest head accepted, in bytes; a longer one makes the stream unparsable.
    public static let maxHeadLength = 64 * 1024
    /// The longest chunk-size or trailer line accepted.
    static let maxLineLength = 4 * 1024

    private enum State: Sendable {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case stopped
        case failed
        /// Bytes went by uncaptured outside a body: skip to the next line that starts a message.
        case resync
    }

    public let role: Role
    private var state: State = .head
    private var buffer: [UInt8] = []
    /// Capture time of the current head's first byte.
    private var headStart: Int64 = 0
    /// The head being read follows a resync: if it is not a message, resync again, not fail.
    private var resyncing = false
    public private(set) var unparsedBytes = 0
    public private(set) var messages = 0

    public init(role: Role) { self.role = role }

    /// True once the stream has met bytes it cannot read.
    public var hasFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// Parses `bytes`, captured at `time`. `onHead` gets each complete head and the time of its
    /// first byte, and says how to go on; `after` gets the bytes past a `stop` (the protocol a
    /// 101 switched to).
    public mutating func feed(
        _ bytes: UnsafeRawBufferPointer, at time: Int64, after: (UnsafeRawBufferPointer) -> Void = { _ in },
        onHead: (HTTPMessageHead, Int64) -> Continuation
    ) {
        var i = 0
        let n = bytes.count
        while i < n {
            switch state {
            case .failed:
                unparsedBytes += n - i
                return
            case .stopped:
                return after(bytes.tail(from: i))
            case .untilClose:
                return
            case .resync:
                let start = i
                while i < n && bytes[i] != 0x0A { i += 1 }
                if i < n {
                    i += 1
                    state = .head
                }
                unparsedBytes += i - start
            case .head:
                i = consumeHead(bytes, from: i, at: time)
                guard case .head = state, isComplete else { continue }
                finishHead(at: time, onHead: onHead)
            case .body(let remaining):
                let take = min(remaining, n - i)
                i += take
                state = remaining - take == 0 ? .head : .body(remaining: remaining - take)
            case .chunkData(let remaining):
                let take = min(remaining, n - i)
                i += take
                state = remaining - take == 0 ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .chunkSize, .chunkDataEnd, .trailers:
                i = consumeLine(bytes, from: i)
            }
        }
    }

    /// The connection closed (FIN or RST): a head cut short is counted as unparsed.
    public mutating func finish() {
        if case .head = state, !buffer.contains(where: { $0 != 0x0D && $0 != 0x0A }) { return }
        if case .head = state { unparsedBytes += buffer.count }
        buffer.removeAll()
        state = .stopped
    }

    /// `count` bytes of the stream went by without being captured. Inside a body they are simply
    /// skipped; anywhere else the stream can no longer be followed.
    public mutating func skip(_ count: Int) {
        switch state {
        case .body(let remaining) where count <= remaining:
            state = remaining == count ? .head : .body(remaining: remaining - count)
        case .chunkData(let remaining) where count <= remaining:
            state = remaining == count ? .chunkDataEnd : .chunkData(remaining: remaining - count)
        case .untilClose, .stopped, .failed:
            break
        case .head, .body, .chunkSize, .chunkData, .chunkDataEnd, .trailers, .resync:
            // Large segments are cut at the snapshot length: pick up at the next message.
            buffer.removeAll(keepingCapacity: true)
            resyncing = true
            state = .resync
        }
    }

    /// Bytes were lost before this stream reached the observer: nothing after can be trusted.
    public mutating func lostBytes() { fail() }

    private var isComplete = false

    /// Appends head bytes up to and including the blank line; sets `isComplete` when reached.
    private mutating func consumeHead(_ bytes: UnsafeRawBufferPointer, from start: Int, at time: Int64) -> Int {
        isComplete = false
        var i = start
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            // Empty lines before a message are allowed (RFC 9112 §2.2).
            if buffer.isEmpty && (c == 0x0D || c == 0x0A) { continue }
            if buffer.isEmpty { headStart = time }
            buffer.append(c)
            if c == 0x0A && (buffer.count >= 2 && buffer[buffer.count - 2] == 0x0A
                || buffer.count >= 3 && buffer[buffer.count - 2] == 0x0D && buffer[buffer.count - 3] == 0x0A) {
                isComplete = true
                return i
            }
            if buffer.count > Self.maxHeadLength || !plausibleStart() {
                if resyncing {
                    unparsedBytes += buffer.count
                    buffer.removeAll(keepingCapacity: true)
                    state = .resync
                    return i
                }
                fail()
                unparsedBytes += bytes.count - i
                return bytes.count
            }
        }
        return i
    }

    /// Rejects a stream early once its first bytes cannot start a message (binary on port 80).
    private func plausibleStart() -> Bool {
        let count = buffer.count
        switch role {
        case .requests:
            // A method token, then a space, within the first 33 bytes.
            guard count <= 33 else { return true }
            if let space = buffer.firstIndex(of: 0x20) { return space > 0 }
            return count <= 32 && HTTPHeadParser.isTokenByte(buffer[count - 1])
        case .responses:
            let prefix: [UInt8] = Array("HTTP/".utf8)
            return count > prefix.count || prefix[count - 1] == buffer[count - 1]
        }
    }

    private mutating func finishHead(at time: Int64, onHead: (HTTPMessageHead, Int64) -> Continuation) {
        let head = buffer
        buffer.removeAll(keepingCapacity: true)
        guard let message = HTTPHeadParser.parse(head, role: role) else {
            unparsedBytes += head.count
            if resyncing { state = .resync } else { fail() }
            return
        }
        resyncing = false
        messages += 1
        let decision = onHead(message, headStart)
        state = nextState(after: message, decision)
    }

    private mutating func nextState(after message: HTTPMessageHead, _ decision: Continuation) -> State {
        switch decision {
        case .stop: return .stopped
        case .noBody: return .head
        case .body: break
        }
        if case .response(let status) = message.startLine {
            if status == 101 { return .stopped }
            if (100..<200).contains(status) || status == 204 || status == 304 { return .head }
            if message.chunked { return .chunkSize }
            if message.otherTransferEncoding { return .untilClose }
            if let length = message.contentLength { return length > 0 ? .body(remaining: length) : .head }
            return .untilClose
        }
        if message.chunked { return .chunkSize }
        // A request body of unknown length cannot be framed (RFC 9112 §6.3).
        if message.otherTransferEncoding { return .failed }
        if let length = message.contentLength, length > 0 { return .body(remaining: length) }
        return .head
    }

    /// Reads one line of chunked framing (size line, the CRLF after data, or a trailer).
    private mutating func consumeLine(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var i = start
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if c == 0x0A {
                let line = buffer.last == 0x0D ? buffer.dropLast() : buffer[...]
                let consumed = buffer.count + 1
                buffer.removeAll(keepingCapacity: true)
                endLine(line)
                if hasFailed { unparsedBytes += consumed }
                return i
            }
            buffer.append(c)
            if buffer.count > Self.maxLineLength {
                fail()
                unparsedBytes += bytes.count - i
                return bytes.count
            }
        }
        return i
    }

    private mutating func endLine(_ line: ArraySlice<UInt8>) {
        switch state {
        case .chunkSize:
            let digits = line.prefix { $0 != UInt8(ascii: ";") }.filter { $0 != 0x20 && $0 != 0x09 }
            guard !digits.isEmpty, digits.count <= 15, let size = Int(String(decoding: digits, as: UTF8.self), radix: 16), size >= 0
            else { return fail() }
            state = size == 0 ? .trailers : .chunkData(remaining: size)
        case .chunkDataEnd:
            if !line.isEmpty { fail() } else { state = .chunkSize }
        case .trailers:
            if line.isEmpty { state = .head }
        case .head, .body, .chunkData, .untilClose, .stopped, .failed, .resync:
            break
        }
    }

    private mutating func fail() {
        unparsedBytes += buffer.count
        buffer.removeAll()
        state = .failed
    }
}
