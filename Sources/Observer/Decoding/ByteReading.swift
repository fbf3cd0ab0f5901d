/// Big-endian reads from a packet, bounds-checked by the caller's length test: the decoders
/// check a header's length once, then read fields inside it.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func u8(_ offset: Int) -> UInt8 { self[offset] }

    @inline(__always)
    func u16(_ offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }

    @inline(__always)
    func u32(_ offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }

    /// The bytes from `offset` to the end (empty when `offset` is past the end).
    @inline(__always)
    func tail(from offset: Int) -> UnsafeRawBufferPointer {
        offset >= count ? UnsafeRawBufferPointer(rebasing: self[count...]) : UnsafeRawBufferPointer(rebasing: self[offset...])
    }

    /// The first `length` bytes (all of them when shorter).
    @inline(__always)
    func head(_ length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[..<Swift.min(Swift.max(length, 0), count)])
    }
}
