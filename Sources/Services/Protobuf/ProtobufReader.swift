/// Reads protocol buffers (proto3 wire format) one field at a time.
///
/// Unknown fields are skipped, as proto3 requires; a truncated or malformed message is a
/// ``ProtobufError`` naming what was being read and where, never a crash.
struct ProtobufReader {
    private let bytes: ArraySlice<UInt8>
    private var at: Int

    init(_ bytes: some Collection<UInt8>) {
        self.bytes = ArraySlice(bytes)
        self.at = self.bytes.startIndex
    }

    /// One field as it arrived.
    struct Field {
        var number: Int
        var value: Value

        enum Value {
            case varint(UInt64)
            case fixed(UInt64)
            case bytes(ArraySlice<UInt8>)
        }

        var uint64: UInt64 {
            switch value {
            case .varint(let v), .fixed(let v): v
            case .bytes: 0
            }
        }

        var int64: Int64 { Int64(bitPattern: uint64) }
        var bool: Bool { uint64 != 0 }

        var bytes: [UInt8] {
            if case .bytes(let b) = value { return Array(b) }
            return []
        }

        var string: String { String(decoding: bytes, as: UTF8.self) }

        /// A repeated varint field, packed (one length-delimited run) or not (one value).
        var packedVarints: [UInt64] {
            get throws(ProtobufError) {
                switch value {
                case .varint(let v), .fixed(let v): return [v]
                case .bytes(let run):
                    var r = ProtobufReader(run)
                    var values: [UInt64] = []
                    while !r.atEnd { values.append(try r.varint(what: "a packed value")) }
                    return values
                }
            }
        }

        /// An embedded message, decoded.
        func message<M: ProtobufDecodable>(_ type: M.Type) throws(ProtobufError) -> M {
            guard case .bytes(let b) = value else {
                throw ProtobufError(reading: "\(M.self) (field \(number))", problem: "not length-delimited")
            }
            return try M(protobuf: b)
        }
    }

    var atEnd: Bool { at >= bytes.endIndex }

    private mutating func varint(what: String) throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard at < bytes.endIndex else {
                throw ProtobufError(reading: what, problem: "the message ends inside a varint")
            }
            let b = bytes[at]
            at += 1
            guard shift < 64 else { throw ProtobufError(reading: what, problem: "a varint longer than ten bytes") }
            value |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
    }

    private mutating func take(_ n: Int, what: String) throws(ProtobufError) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.endIndex - at >= n else {
            throw ProtobufError(reading: what, problem: "\(n) bytes announced, \(bytes.endIndex - at) left")
        }
        defer { at += n }
        return bytes[at ..< at + n]
    }

    /// The next field, or nil at the end of the message.
    mutating func next() throws(ProtobufError) -> Field? {
        guard !atEnd else { return nil }
        let key = try varint(what: "a field key")
        let number = Int(truncatingIfNeeded: key >> 3)
        guard number > 0 else { throw ProtobufError(reading: "a field key", problem: "field number 0") }
        let what = "field \(number)"
        switch ProtobufWireType(rawValue: UInt8(key & 7)) {
        case .varint: return Field(number: number, value: .varint(try varint(what: what)))
        case .fixed64:
            let b = try take(8, what: what)
            return Field(number: number, value: .fixed(b.reversed().reduce(0) { $0 << 8 | UInt64($1) }))
        case .fixed32:
            let b = try take(4, what: what)
            return Field(number: number, value: .fixed(b.reversed().reduce(0) { $0 << 8 | UInt64($1) }))
        case .lengthDelimited:
            let n = try varint(what: what)
            guard n <= UInt64(Int.max) else { throw ProtobufError(reading: what, problem: "a length past the message") }
            return Field(number: number, value: .bytes(try take(Int(n), what: what)))
        case nil:
            throw ProtobufError(reading: what, problem: "wire type \(key & 7), which proto3 does not use")
        }
    }
}

/// A message that reads itself from protocol buffers.
protocol ProtobufDecodable: SendableMetatype {
    init(protobuf: some Collection<UInt8>) throws(ProtobufError)
}

/// A message could not be read.
struct ProtobufError: Error, Equatable, CustomStringConvertible {
    var reading: String
    var problem: String
    var description: String { "malformed protobuf reading \(reading): \(problem)" }
}
