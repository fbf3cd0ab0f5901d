/// A header block being put together: the fragment of a HEADERS (or PUSH_PROMISE) frame and the
/// CONTINUATION frames after it, until END_HEADERS (RFC 9113 §4.3). Nothing else may come
/// between them on the connection, so one block at a time is open per direction.
struct H2HeaderBlock {
    var stream: UInt32
    /// The HEADERS frame said END_STREAM: the block is the last thing on its stream this way.
    var endStream: Bool
    /// A PUSH_PROMISE's block: decoded to keep HPACK in step, then dropped.
    var promise: Bool
    var fragment: [UInt8]
    /// Capture time of the frame that opened it.
    var start: Int64

    /// The header block fragment of a HEADERS or PUSH_PROMISE frame: padding (PADDED), the
    /// priority fields (PRIORITY, HEADERS only) and the promised stream id (PUSH_PROMISE only)
    /// taken off. nil when the padding or fields run past the frame.
    static func fragment(of frame: H2Frame) -> [UInt8]? {
        let p = frame.payload
        var start = 0
        var padding = 0
        if frame.has(H2Frame.Flag.padded) {
            guard !p.isEmpty else { return nil }
            padding = Int(p[0])
            start = 1
        }
        if frame.type == H2Frame.Kind.headers && frame.has(H2Frame.Flag.priority) { start += 5 }
        if frame.type == H2Frame.Kind.pushPromise { start += 4 }
        guard start + padding <= p.count else { return nil }
        return Array(p[start..<p.count - padding])
    }
}
