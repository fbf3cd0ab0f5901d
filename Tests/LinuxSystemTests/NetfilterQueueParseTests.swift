import CNetfilterQueue
import Testing

/// `fl_nfq_parse` on hand-built NFQUEUE datagrams (no socket, no root).
struct NetfilterQueueParseTests {
    /// One `NFQNL_MSG_PACKET` message: nlmsghdr, nfgenmsg, `NFQA_PACKET_HDR`, `NFQA_PAYLOAD`.
    /// `nlmsg_len` is the unaligned length, as the kernel sends it for a payload of odd size.
    static func packetMessage(id: UInt32, queue: UInt16, payload: [UInt8]) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
        func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
        func pad(_ b: [UInt8]) -> [UInt8] { b + Array(repeating: 0, count: (4 - b.count % 4) % 4) }
        let header = u32(id.bigEndian) + u16(UInt16(0x0800).bigEndian) + [3, 0]  // packet_id, hw_protocol, hook
        let attrs = pad(u16(UInt16(4 + header.count)) + u16(1) + header)          // NFQA_PACKET_HDR
            + u16(UInt16(4 + payload.count)) + u16(10) + payload                  // NFQA_PAYLOAD, unpadded
        let body = [2, 0] + u16(queue.bigEndian) + attrs                          // nfgenmsg: AF_INET, v0, res_id
        let type = UInt16(3 << 8 | 0)                                             // NFNL_SUBSYS_QUEUE, NFQNL_MSG_PACKET
        return u32(UInt32(16 + body.count)) + u16(type) + u16(0) + u32(1) + u32(0) + body
    }

    @Test func anUnalignedLastMessageEndsTheDatagram() {
        let first = Self.packetMessage(id: 7, queue: 100, payload: Array(repeating: 0xAB, count: 53))
        #expect(first.count % 4 != 0, "the test needs an unaligned nlmsg_len")
        // What lies in the buffer past the datagram (an earlier, longer datagram) must not be read:
        // here it is a whole packet message, placed where the aligned walk would land.
        let aligned = (first.count + 3) & ~3
        let stale = Self.packetMessage(id: 99, queue: 100, payload: [1, 2, 3, 4])
        var buffer = first + Array(repeating: 0, count: aligned - first.count) + stale
        buffer += Array(repeating: 0, count: 64)
        var out = [fl_nfq_packet](repeating: fl_nfq_packet(), count: 4)
        var errors: Int32 = 0
        let found = buffer.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { fl_nfq_parse(b.baseAddress, first.count, $0.baseAddress, 4, &errors) }
        }
        #expect(found == 1)
        #expect(out[0].id == 7)
        #expect(out[0].queue == 100)
        #expect(out[0].payload_length == 53)
        #expect(errors == 0)
    }

    @Test func twoAlignedMessagesBothParse() {
        let a = Self.packetMessage(id: 1, queue: 100, payload: [0, 1, 2, 3])
        let b = Self.packetMessage(id: 2, queue: 101, payload: [4, 5, 6, 7, 8, 9, 10, 11])
        let buffer = a + b
        var out = [fl_nfq_packet](repeating: fl_nfq_packet(), count: 4)
        let found = buffer.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { fl_nfq_parse(p.baseAddress, buffer.count, $0.baseAddress, 4, nil) }
        }
        #expect(found == 2)
        #expect(out[0].id == 1 && out[1].id == 2)
        #expect(out[1].queue == 101 && out[1].payload_length == 8)
    }
}
