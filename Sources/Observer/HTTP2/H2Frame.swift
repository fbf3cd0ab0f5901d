/// One HTTP/2 frame (RFC 9113 §4.1): the 9-byte header and the part of the payload the observer
/// keeps. DATA, PING, WINDOW_UPDATE, PRIORITY and unknown types keep nothing: their bytes are
/// counted past, never stored, so a long body costs no memory.
struct H2Frame: Equatable {
    var length: Int
    var type: UInt8
    var flags: UInt8
    var stream: UInt32
    var payload: [UInt8] = []

    static let headerSize = 9

    /// Frame types, as RFC 9113 §6 numbers them.
    enum Kind {
        static let data: UInt8 = 0x0
        static let headers: UInt8 = 0x1
        static let priority: UInt8 = 0x2
        static let rstStream: UInt8 = 0x3
        static let settings: UInt8 = 0x4
        static let pushPromise: UInt8 = 0x5
        static let ping: UInt8 = 0x6
        static let goaway: UInt8 = 0x7
        static let windowUpdate: UInt8 = 0x8
        static let continuation: UInt8 = 0x9
    }

    /// Flag bits; END_STREAM and ACK share a bit on different frame types.
    enum Flag {
        static let endStream: UInt8 = 0x1
        static let ack: UInt8 = 0x1
        static let endHeaders: UInt8 = 0x4
        static let padded: UInt8 = 0x8
        static let priority: UInt8 = 0x20
    }

    func has(_ flag: UInt8) -> Bool { flags & flag != 0 }

    /// Reads a frame header from exactly nine bytes (the reserved bit of the stream id dropped).
    init(header b: [UInt8]) {
        length = Int(b[0]) << 16 | Int(b[1]) << 8 | Int(b[2])
        type = b[3]
        flags = b[4]
        stream = (UInt32(b[5]) << 24 | UInt32(b[6]) << 16 | UInt32(b[7]) << 8 | UInt32(b[8])) & 0x7FFF_FFFF
    }

    init(length: Int, type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8] = []) {
        self.length = length
        self.type = type
        self.flags = flags
        self.stream = stream
        self.payload = payload
    }

    /// How many payload bytes of a frame of `type` and `length` are kept; nil when a frame this
    /// long cannot be followed (a header block fragment past ``H2FrameParser/maxKeptPayload``).
    static func kept(type: UInt8, length: Int) -> Int? {
        switch type {
        case Kind.headers, Kind.continuation, Kind.pushPromise, Kind.settings:
            length <= H2FrameParser.maxKeptPayload ? length : nil
        case Kind.rstStream: min(length, 4)
        // Last stream id and error code; the debug data after them is skipped.
        case Kind.goaway: min(length, 8)
        default: 0
        }
    }
}
