import DNS
import FaultlineCore
import RunHistory
import ScenarioFormat

/// Reads DNS messages off the wire (UDP datagrams and TCP streams on port 53) with the DNS
/// module's decoder and turns them into ``DNSMessageEvent``s, pairing each response with its
/// query (same client endpoint, server and id) for its latency.
///
/// Messages that do not decode are counted, not guessed at. Queries never answered are
/// forgotten after `pendingTimeout` (or when the table is full, oldest first).
final class DNSWireWatcher {
    static let port: UInt16 = 53

    private struct PendingKey: Hashable {
        var client: Endpoint
        var server: Endpoint
        var id: UInt16
    }

    private var pending: [PendingKey: Int64] = [:]
    private let maxPending = 65_536
    private let pendingTimeout: Int64 = 30_000_000_000
    private let name: (UInt32) -> String
    private let emit: (EventKind, Int64) -> Void
    /// Payloads on port 53 that were not DNS messages.
    private(set) var malformedMessages = 0
    private(set) var malformedBytes = 0

    init(name: @escaping (UInt32) -> String, emit: @escaping (EventKind, Int64) -> Void) {
        self.name = name
        self.emit = emit
    }

    /// Whether a flow between these ports carries DNS.
    static func carriesDNS(_ a: UInt16, _ b: UInt16) -> Bool { a == port || b == port }

    /// One whole DNS message from `source` to `destination` captured at `time`.
    func message(_ bytes: UnsafeRawBufferPointer, source: Endpoint, destination: Endpoint, transport: String, at time: Int64) {
        guard let message = try? DNSMessage.decode(bytes), let question = message.questions.first else {
            malformedMessages += 1
            malformedBytes += bytes.count
            return
        }
        let header = message.header
        let isResponse = header.isResponse
        let client = isResponse ? destination : source
        let server = isResponse ? source : destination
        let key = PendingKey(client: client, server: server, id: header.id)
        var event = DNSMessageEvent(
            from: name(client.address), to: name(server.address), id: header.id, response: isResponse,
            name: question.name.key, type: question.type.description, transport: transport, truncated: header.truncated)
        if isResponse {
            event.rcode = message.rcode
            event.answers = message.answers.map(\.summary)
            if let asked = pending.removeValue(forKey: key) { event.latency = TimeSpan(nanoseconds: max(0, time - asked)) }
        } else {
            if pending.count >= maxPending { expire(now: time, keepingAtMost: maxPending * 7 / 8) }
            pending[key] = time
        }
        emit(.dnsMessage(event), time)
    }

    /// Forgets queries unanswered past the timeout.
    func expire(now: Int64) { expire(now: now, keepingAtMost: maxPending) }

    private func expire(now: Int64, keepingAtMost limit: Int) {
        pending = pending.filter { now - $0.value <= pendingTimeout }
        guard pending.count > limit else { return }
        for (key, _) in pending.sorted(by: { $0.value < $1.value }).prefix(pending.count - limit) { pending.removeValue(forKey: key) }
    }
}

/// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message is preceded by its two-byte length.
/// Collects one direction's stream and hands out whole messages; a message longer than what the
/// capture kept is skipped by its length.
struct DNSStreamFramer {
    private var buffer: [UInt8] = []
    /// Bytes still to skip of a message the capture did not keep whole.
    private var skipping = 0
    private(set) var broken = false

    /// Appends captured stream bytes; calls `message` for each message now whole.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, message: (UnsafeRawBufferPointer) -> Void) {
        guard !broken else { return }
        var input = bytes
        if skipping > 0 {
            let n = min(skipping, input.count)
            skipping -= n
            input = input.tail(from: n)
        }
        buffer.append(contentsOf: input)
        var start = 0
        while buffer.count - start >= 2 {
            let length = Int(buffer[start]) << 8 | Int(buffer[start + 1])
            guard buffer.count - start - 2 >= length else { break }
            buffer.withUnsafeBytes { message(UnsafeRawBufferPointer(rebasing: $0[(start + 2)..<(start + 2 + length)])) }
            start += 2 + length
        }
        buffer.removeFirst(start)
    }

    /// `count` stream bytes went by uncaptured: the message they fall in cannot be read, and is
    /// skipped by its length; past its end the framing is lost.
    mutating func skip(_ count: Int) {
        guard !broken, count > 0 else { return }
        if skipping > 0 {
            guard count <= skipping else { return lost() }
            skipping -= count
            return
        }
        guard buffer.count >= 2 else { return lost() }
        let remaining = 2 + (Int(buffer[0]) << 8 | Int(buffer[1])) - buffer.count
        guard count <= remaining else { return lost() }
        skipping = remaining - count
        buffer.removeAll()
    }

    /// Bytes went missing: the framing is lost for good.
    mutating func lost() { broken = true }
}
