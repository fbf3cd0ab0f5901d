/// Cuts one direction of an HTTP/2 connection into frames, fed the in-order bytes as they arrive.
///
/// The client's direction starts with the 24-byte connection preface, which must match exactly.
/// Memory is bounded: at most one frame's kept payload (``maxKeptPayload``) is held. Bytes the
/// capture did not keep can be stepped over only where nothing is kept (inside a DATA payload);
/// anywhere else the framing is lost and the parser stops with the reason.
struct H2FrameParser {
    /// The largest header block fragment or SETTINGS payload followed (RFC 9113 allows 16 MiB
    /// frames once SETTINGS_MAX_FRAME_SIZE says so; header blocks that size do not occur).
    static let maxKeptPayload = 1 << 20
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private var prefaceRead: Int
    private var header: [UInt8] = []
    /// The frame whose payload is being read, and how many of its bytes are still to come.
    private var current: H2Frame?
    private var keep = 0
    private var remaining = 0
    /// Why the stream can no longer be followed; nil while it can.
    private(set) var failure: String?
    /// Bytes after a failure, which nothing reads.
    private(set) var unreadBytes = 0

    /// Why the bytes are not HTTP/2, when they do not start as the direction must: the client's
    /// with the connection preface, the server's with a SETTINGS frame (its own preface).
    private let notHTTP2: String
    private var framesBegun = 0

    /// - Parameters:
    ///   - preface: the client's direction, which starts with the connection preface.
    ///   - notHTTP2: the failure when the direction does not begin as HTTP/2 does.
    init(preface: Bool, notHTTP2: String) {
        prefaceRead = preface ? 0 : Self.preface.count
        self.notHTTP2 = notHTTP2
    }

    /// Reads `bytes`; `frame` gets each frame once its payload is complete.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, frame: (H2Frame) -> Void) {
        var i = 0
        let n = bytes.count
        while i < n {
            if failure != nil {
                unreadBytes += n - i
                return
            }
            if prefaceRead < Self.preface.count {
                guard bytes[i] == Self.preface[prefaceRead] else {
                    fail(notHTTP2)
                    continue
                }
                prefaceRead += 1
                i += 1
                continue
            }
            guard var f = current else {
                let take = min(H2Frame.headerSize - header.count, n - i)
                header.append(contentsOf: bytes[i..<i + take])
                i += take
                if header.count == H2Frame.headerSize { begin(H2Frame(header: header), frame: frame) }
                continue
            }
            let take = min(remaining, n - i)
            let kept = max(0, min(take, keep - f.payload.count))
            if kept > 0 { f.payload.append(contentsOf: bytes[i..<i + kept]) }
            current = f
            remaining -= take
            i += take
            if remaining == 0 { end(frame) }
        }
    }

    /// `count` bytes went by uncaptured: fine inside a payload the parser does not keep.
    mutating func skip(_ count: Int, frame: (H2Frame) -> Void) {
        guard failure == nil else { return }
        guard let f = current, f.payload.count >= keep, count <= remaining else {
            return fail("bytes the capture did not keep fell inside an HTTP/2 frame header or header block")
        }
        remaining -= count
        if remaining == 0 { end(frame) }
    }

    /// Bytes went missing: frame boundaries cannot be found again.
    mutating func lost() { fail("a capture gap: bytes missing from the HTTP/2 stream") }

    mutating func fail(_ reason: String) {
        if failure == nil { failure = reason }
    }

    /// The bytes ended before the preface, or inside a frame.
    var midFrame: Bool { current != nil || !header.isEmpty }

    private mutating func begin(_ f: H2Frame, frame: (H2Frame) -> Void) {
        header.removeAll(keepingCapacity: true)
        framesBegun += 1
        if framesBegun == 1 && (f.type != H2Frame.Kind.settings || f.flags & H2Frame.Flag.ack != 0 || f.stream != 0) {
            return fail(notHTTP2)
        }
        guard let keep = H2Frame.kept(type: f.type, length: f.length) else {
            return fail("a \(f.length)-byte header block fragment, larger than the observer follows")
        }
        self.keep = keep
        remaining = f.length
        current = f
        current?.payload.reserveCapacity(keep)
        if remaining == 0 { end(frame) }
    }

    private mutating func end(_ frame: (H2Frame) -> Void) {
        guard let f = current else { return }
        current = nil
        frame(f)
    }
}
