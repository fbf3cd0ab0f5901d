import RunHistory

/// Follows UDP flows — the datagrams between one pair of endpoints, either way — and turns them
/// into ``UDPFlowEvent``s: `started` at the first datagram, `unreachable` when an ICMP error
/// answers one, `ended` when the flow falls silent or the capture stops.
///
/// UDP has no handshake or close, so a flow ends by silence: after `idleTimeout` without a
/// datagram it is reported ended, stamped at its last datagram. The table is bounded like the
/// TCP tracker's.
final class UDPFlowTracker {
    struct Limits {
        var maxFlows = 65_536
        /// Silence that ends a flow (conntrack's UDP timeout is 30 s).
        var idleTimeout: Int64 = 30_000_000_000
    }

    private final class Flow {
        let id: Int
        let client: Endpoint
        let server: Endpoint
        let clientName: String
        let serverName: String
        var lastSeen: Int64
        var datagramsOut = 0
        var datagramsIn = 0
        var bytesOut = 0
        var bytesIn = 0

        init(id: Int, client: Endpoint, server: Endpoint, clientName: String, serverName: String, at time: Int64) {
            self.id = id
            self.client = client
            self.server = server
            self.clientName = clientName
            self.serverName = serverName
            self.lastSeen = time
        }
    }

    private var table: [FlowKey: Flow] = [:]
    private let limits: Limits
    private let name: (UInt32) -> String
    private let emit: (EventKind, Int64) -> Void
    private var lastFlow = 0

    init(limits: Limits = Limits(), name: @escaping (UInt32) -> String, emit: @escaping (EventKind, Int64) -> Void) {
        self.limits = limits
        self.name = name
        self.emit = emit
    }

    var count: Int { table.count }

    /// One datagram with `bytes` of payload from `source` to `destination`, captured at `time`.
    func handle(source: Endpoint, destination: Endpoint, bytes: Int, at time: Int64) {
        let key = FlowKey(source, destination)
        let flow: Flow
        if let existing = table[key] {
            flow = existing
        } else {
            if table.count >= limits.maxFlows { evictOldest() }
            lastFlow += 1
            flow = Flow(
                id: lastFlow, client: source, server: destination, clientName: name(source.address),
                serverName: name(destination.address), at: time)
            table[key] = flow
            report(flow, .started, at: time)
        }
        flow.lastSeen = time
        if source == flow.client {
            flow.datagramsOut += 1
            flow.bytesOut += bytes
        } else {
            flow.datagramsIn += 1
            flow.bytesIn += bytes
        }
    }

    /// An ICMP destination-unreachable quoting a UDP datagram: the flow it belongs to (one is
    /// started if the datagram itself went unseen) is marked unreachable, with who said so.
    func unreachable(_ icmp: ICMPUnreachable, sender: UInt32, at time: Int64) {
        let source = Endpoint(address: icmp.original.source, port: icmp.originalSourcePort)
        let destination = Endpoint(address: icmp.original.destination, port: icmp.originalDestinationPort)
        if table[FlowKey(source, destination)] == nil { handle(source: source, destination: destination, bytes: 0, at: time) }
        guard let flow = table[FlowKey(source, destination)] else { return }
        flow.lastSeen = time
        report(flow, .unreachable, at: time, reason: "\(icmp.reason) from \(name(sender))")
    }

    private func report(_ f: Flow, _ phase: UDPFlowPhase, at time: Int64, reason: String? = nil) {
        let ended = phase == .ended
        emit(.udpFlow(UDPFlowEvent(
            flow: f.id, from: f.clientName, to: f.serverName, sourcePort: f.client.port, port: f.server.port, phase: phase,
            datagramsOut: ended ? f.datagramsOut : nil, datagramsIn: ended ? f.datagramsIn : nil,
            bytesOut: ended ? f.bytesOut : nil, bytesIn: ended ? f.bytesIn : nil, reason: reason)), time)
    }

    /// Ends flows silent past the idle timeout, stamped at their last datagram.
    func expire(now: Int64) {
        for (key, flow) in table where now - flow.lastSeen > limits.idleTimeout {
            table.removeValue(forKey: key)
            report(flow, .ended, at: flow.lastSeen)
        }
    }

    /// Makes room when full: the eighth of the table seen least recently ends.
    private func evictOldest() {
        let victims = table.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(max(1, limits.maxFlows / 8))
        for (key, flow) in victims {
            table.removeValue(forKey: key)
            report(flow, .ended, at: flow.lastSeen)
        }
    }

    /// The capture ended: every flow still open ends, in the order they started.
    func finishAll() {
        for flow in table.values.sorted(by: { $0.id < $1.id }) { report(flow, .ended, at: flow.lastSeen) }
        table.removeAll()
    }
}
