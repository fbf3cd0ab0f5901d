/// Puts one direction of a TCP stream back in order for the HTTP parser.
///
/// Retransmitted bytes are delivered once; segments that arrive early wait (up to
/// ``maxHeldBytes``) for the gap before them to fill. When the gap does not fill in time the
/// stream jumps over it and reports the loss, so memory stays bounded on any traffic. Bytes the
/// capture did not keep (past its snapshot length) are reported as skipped, in order.
struct StreamReassembler {
    /// The most out-of-order payload held per direction.
    static let maxHeldBytes = 64 * 1024
    static let maxHeldSegments = 256

    private struct Segment {
        var sequence: UInt32
        var bytes: [UInt8]
        var uncaptured: Int
        var length: Int { bytes.count + uncaptured }
    }

    /// The sequence number of the next byte expected; nil until the SYN (or first data) says.
    private(set) var next: UInt32?
    private var held: [Segment] = []
    private var heldBytes = 0
    /// Payload bytes that went by in order (captured or not).
    private(set) var delivered = 0

    /// The peer's initial sequence number: data starts one after it.
    mutating func start(initialSequence: UInt32) { next = initialSequence &+ 1 }

    /// Takes one segment: `payload` captured, then `uncaptured` more bytes on the wire. Calls
    /// `deliver` with each new in-order run of captured bytes, `skip` with each in-order run of
    /// uncaptured ones, and `lost` when a gap is jumped.
    mutating func accept(
        sequence: UInt32, payload: UnsafeRawBufferPointer, uncaptured: Int = 0,
        deliver: (UnsafeRawBufferPointer) -> Void, skip: (Int) -> Void = { _ in }, lost: () -> Void
    ) {
        guard payload.count + uncaptured > 0 else { return }
        let expected = next ?? sequence
        let offset = Int(Int32(bitPattern: sequence &- expected))
        if offset > 0 {
            if heldBytes + payload.count <= Self.maxHeldBytes && held.count < Self.maxHeldSegments {
                held.append(Segment(sequence: sequence, bytes: Array(payload), uncaptured: uncaptured))
                heldBytes += payload.count
                return
            }
            // Give up waiting: the gap is jumped and what was held is dropped with it.
            lost()
            held.removeAll()
            heldBytes = 0
            next = sequence
            take(payload, uncaptured: uncaptured, from: 0, deliver: deliver, skip: skip)
            return
        }
        next = expected
        take(payload, uncaptured: uncaptured, from: -offset, deliver: deliver, skip: skip)
        drainHeld(deliver: deliver, skip: skip)
    }

    /// Delivers the segment from byte `start` on (the bytes before were delivered already).
    private mutating func take(
        _ payload: UnsafeRawBufferPointer, uncaptured: Int, from start: Int, deliver: (UnsafeRawBufferPointer) -> Void,
        skip: (Int) -> Void
    ) {
        let length = payload.count + uncaptured
        guard start < length else { return }  // wholly a retransmission
        if start < payload.count { deliver(payload.tail(from: start)) }
        let skipped = length - max(start, payload.count)
        if skipped > 0 { skip(skipped) }
        delivered += length - start
        next = next! &+ UInt32(truncatingIfNeeded: length - start)
    }

    /// Delivers held segments that now follow on.
    private mutating func drainHeld(deliver: (UnsafeRawBufferPointer) -> Void, skip: (Int) -> Void) {
        var progressed = true
        while progressed && !held.isEmpty {
            progressed = false
            for (index, segment) in held.enumerated() {
                let offset = Int(Int32(bitPattern: segment.sequence &- next!))
                guard offset <= 0 else { continue }
                held.remove(at: index)
                heldBytes -= segment.bytes.count
                segment.bytes.withUnsafeBytes {
                    take($0, uncaptured: segment.uncaptured, from: -offset, deliver: deliver, skip: skip)
                }
                progressed = true
                break
            }
        }
    }
}
