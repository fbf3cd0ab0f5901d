/// Writes protocol buffers (proto3 wire format) field by field: what the etcd stand-in's messages
/// need, and nothing more.
///
/// Fields are written in the order called; proto3 defaults (0, false, empty) are skipped, as a
/// proto3 encoder does, so an answer carries only what it says.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ wire: ProtobufWireType) {
        varint(UInt64(field) << 3 | UInt64(wire.rawValue))
    }

    mutating func uint64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, .varint)
        varint(value)
    }

    /// `int64` and enums: negative numbers take ten bytes (two's complement), as proto3 has it.
    mutating func int64(_ field: Int, _ value: Int64) { uint64(field, UInt64(bitPattern: value)) }

    mutating func bool(_ field: Int, _ value: Bool) { uint64(field, value ? 1 : 0) }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        guard !value.isEmpty else { return }
        lengthDelimited(field, value)
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// A repeated `bytes`/`string` element or a message: written even when empty, since an empty
    /// element of a list is still an element.
    mutating func lengthDelimited(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes += value
    }

    /// An embedded message (written even when all its fields are defaults: its presence is the point).
    mutating func message(_ field: Int, _ value: some ProtobufEncodable) {
        lengthDelimited(field, value.protobuf)
    }

    mutating func messages(_ field: Int, _ values: [some ProtobufEncodable]) {
        for v in values { message(field, v) }
    }
}

/// A message that writes itself as protocol buffers.
protocol ProtobufEncodable: SendableMetatype {
    func encode(to writer: inout ProtobufWriter)
}

extension ProtobufEncodable {
    var protobuf: [UInt8] {
        var w = ProtobufWriter()
        encode(to: &w)
        return w.bytes
    }
}

/// The wire types proto3 uses (groups, 3 and 4, are proto2's and refused).
enum ProtobufWireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}
