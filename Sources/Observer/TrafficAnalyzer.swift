import FaultlineCore
import RunHistory

/// Turns captured frames into history events: the pure heart of the traffic observer, testable
/// with hand-built packets and no capture at all.
///
/// TCP goes to the connection tracker (and HTTP parsers, or DNS framing on port 53), UDP to the
/// flow tracker (and the DNS reader on port 53), ICMP unreachables to the flow they answer.
///
/// Times are whatever clock the caller uses for `time` (the observer passes capture times in
/// nanoseconds); every event is handed to `emit` with the time of the packet that caused it.
public final class TrafficAnalyzer {
    /// What the analyzer met, for the capture's stats and the benchmark.
    public struct Counters: Sendable, Equatable {
        public var frames = 0
        public var tcpSegments = 0
        public var udpDatagrams = 0
        /// ICMP destination-unreachable messages quoting a UDP datagram or TCP segment.
        public var unreachables = 0
        /// IPv4 that is neither TCP nor UDP (ICMP …), and later fragments.
        public var otherIPv4 = 0
        /// Not IPv4 at all (ARP …).
        public var notIPv4 = 0
        /// Forwarded packets seen leaving the router, skipped: each packet counts once.
        public var outgoingSkipped = 0
        public var malformedFrames = 0
        public var malformedBytes = 0
    }

    public private(set) var counters = Counters()
    private let tracker: ConnectionTracker
    private let flows: UDPFlowTracker
    private let dns: DNSWireWatcher

    /// - Parameters:
    ///   - hostNames: address (host byte order) → host name; other addresses are named as dotted quads.
    ///   - emit: receives each event with the capture time of the packet behind it.
    public init(hostNames: [UInt32: String], emit: @escaping (EventKind, Int64) -> Void) {
        let name = { (address: UInt32) in hostNames[address] ?? IPv4Address(address).description }
        dns = DNSWireWatcher(name: name, emit: emit)
        tracker = ConnectionTracker(dns: dns, name: name, emit: emit)
        flows = UDPFlowTracker(name: name, emit: emit)
    }

    /// Reads one frame of `linkType` (a `DLT_*` value) captured at `time`.
    public func process(_ frame: UnsafeRawBufferPointer, linkType: Int32, at time: Int64) {
        counters.frames += 1
        switch PacketDecoder.decode(frame, linkType: linkType) {
        case .tcp(let ip, let tcp, let payload, let uncaptured):
            counters.tcpSegments += 1
            tracker.handle(ip: ip, tcp: tcp, payload: payload, uncaptured: uncaptured, at: time)
        case .udp(let ip, let udp, let payload):
            counters.udpDatagrams += 1
            let source = Endpoint(address: ip.source, port: udp.sourcePort)
            let destination = Endpoint(address: ip.destination, port: udp.destinationPort)
            flows.handle(source: source, destination: destination, bytes: max(0, udp.length - 8), at: time)
            if DNSWireWatcher.carriesDNS(udp.sourcePort, udp.destinationPort) {
                dns.message(payload, source: source, destination: destination, transport: "udp", at: time)
            }
        case .unreachable(let ip, let icmp):
            counters.unreachables += 1
            switch icmp.original.protocolNumber {
            case IPv4Header.udp: flows.unreachable(icmp, sender: ip.source, at: time)
            case IPv4Header.tcp: tracker.unreachable(icmp, at: time)
            default: break
            }
        case .otherIPv4:
            counters.otherIPv4 += 1
        case .notIPv4:
            counters.notIPv4 += 1
        case .outgoing:
            counters.outgoingSkipped += 1
        case .malformed:
            counters.malformedFrames += 1
            counters.malformedBytes += frame.count
        }
    }

    /// Bytes that could not be parsed: malformed frames, plus TCP payload that was not HTTP or
    /// broke off mid-message, plus payload of connections never seen opening.
    public var unparsedBytes: Int { counters.malformedBytes + tracker.unparsedBytes + dns.malformedBytes }

    /// Connections in the table now.
    public var trackedConnections: Int { tracker.count }

    /// Forgets connections idle past their timeout; call about once a second.
    public func expireIdle(now: Int64) {
        tracker.expire(now: now)
        flows.expire(now: now)
        dns.expire(now: now)
    }

    /// The capture ended: flushes every connection's parsers (cut-short heads count as unparsed).
    public func finish() {
        tracker.finishAll()
        flows.finishAll()
    }
}
