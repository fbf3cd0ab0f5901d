/// The link-layer header of a captured frame: which network protocol it carries, where that
/// starts, and (for Linux cooked captures) which way the packet went.
///
/// Supports the link types a capture on Linux hands back: `LINUX_SLL` (the `any` device's
/// default), `LINUX_SLL2`, Ethernet (a single veth) and raw IP.
public struct LinkLayerFrame: Sendable, Equatable {
    /// Link types, by their `DLT_*` values in `<pcap/dlt.h>`.
    public enum LinkType: Int32, Sendable {
        case ethernet = 1
        case raw = 12
        case linuxSLL = 113
        case rawIPv4 = 228
        case linuxSLL2 = 276
    }

    /// `sll_pkttype`: where the packet was going relative to the capturing host.
    public enum Direction: UInt8, Sendable {
        /// To this host (`PACKET_HOST`): on the router, everything a host sends arrives this way.
        case toUs = 0
        case broadcast = 1
        case multicast = 2
        /// To another host seen promiscuously (`PACKET_OTHERHOST`).
        case otherHost = 3
        /// Sent by this host (`PACKET_OUTGOING`): a forwarded packet leaving toward its receiver.
        case outgoing = 4
    }

    /// The EtherType of the payload (`0x0800` IPv4).
    public var protocolType: UInt16
    /// Where the payload starts.
    public var headerLength: Int
    /// Nil for link types that do not say (Ethernet, raw).
    public var direction: Direction?

    public static let ipv4: UInt16 = 0x0800

    /// Decodes the frame's link header; nil when it is too short or of an unknown link type.
    public static func decode(_ bytes: UnsafeRawBufferPointer, linkType: Int32) -> LinkLayerFrame? {
        guard let type = LinkType(rawValue: linkType) else { return nil }
        switch type {
        case .ethernet:
            guard bytes.count >= 14 else { return nil }
            var ethertype = bytes.u16(12)
            var length = 14
            // One 802.1Q tag at most: the testbed does not stack VLANs.
            if ethertype == 0x8100 {
                guard bytes.count >= 18 else { return nil }
                ethertype = bytes.u16(16)
                length = 18
            }
            return LinkLayerFrame(protocolType: ethertype, headerLength: length, direction: nil)
        case .raw, .rawIPv4:
            guard !bytes.isEmpty else { return nil }
            return LinkLayerFrame(protocolType: bytes.u8(0) >> 4 == 4 ? ipv4 : 0, headerLength: 0, direction: nil)
        case .linuxSLL:
            // pkttype(2) hatype(2) halen(2) addr(8) protocol(2)
            guard bytes.count >= 16 else { return nil }
            return LinkLayerFrame(
                protocolType: bytes.u16(14), headerLength: 16, direction: Direction(rawValue: UInt8(truncatingIfNeeded: bytes.u16(0))))
        case .linuxSLL2:
            // protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
            guard bytes.count >= 20 else { return nil }
            return LinkLayerFrame(protocolType: bytes.u16(0), headerLength: 20, direction: Direction(rawValue: bytes.u8(10)))
        }
    }
}
