/// Cuts one direction of a TLS connection into records (RFC 8446 §5.1: type, legacy version,
/// 16-bit length, fragment), as they arrive in order. Pure, and bounded: it never holds more
/// than one record, and a header that is not TLS stops it (``desynchronized``).
struct TLSRecordReader {
    /// A record's content type (RFC 8446 §B.1).
    enum ContentType: UInt8 {
        case changeCipherSpec = 20
        case alert = 21
        case handshake = 22
        case applicationData = 23
        case heartbeat = 24
    }

    struct Record: Equatable {
        var type: ContentType
        var fragment: [UInt8]
    }

    /// The largest record TLS allows: 2^14 bytes plus TLS 1.2's 2048 of expansion.
    static let maxFragment = 16_384 + 2_048

    private var buffer: [UInt8] = []
    /// The bytes stopped looking like TLS records (or a capture gap broke the framing).
    private(set) var desynchronized = false

    /// Takes the next in-order bytes; calls `record` for each complete record.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, record: (Record) -> Void) {
        guard !desynchronized else { return }
        buffer += bytes
        var start = 0
        while buffer.count - start >= 5 {
            let length = Int(buffer[start + 3]) << 8 | Int(buffer[start + 4])
            guard let type = ContentType(rawValue: buffer[start]), buffer[start + 1] == 3, length <= Self.maxFragment else {
                desynchronized = true
                buffer.removeAll()
                return
            }
            guard buffer.count - start >= 5 + length else { break }
            record(Record(type: type, fragment: Array(buffer[(start + 5)..<(start + 5 + length)])))
            start += 5 + length
        }
        buffer.removeFirst(start)
    }

    /// Bytes went by unseen: the framing is lost.
    mutating func lost() {
        desynchronized = true
        buffer.removeAll()
    }

    /// Bytes held of a record not yet complete.
    var pendingBytes: Int { buffer.count }
}
