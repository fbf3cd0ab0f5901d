import NIOCore
import RunHistory
import ScenarioFormat

/// Answers DNS over UDP: one datagram in, at most one datagram out, written in one call.
/// Writes are flushed once per read burst, so NIO can send them together (`sendmmsg`).
final class DNSDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let responder: DNSResponder
    private let recorder: DNSQueryRecorder

    init(responder: DNSResponder, recorder: DNSQueryRecorder) {
        self.responder = responder
        self.recorder = recorder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let start = RunClock.monotonicNow()
        let envelope = unwrapInboundIn(data)
        let source = envelope.remoteAddress.ipv4HostOrder ?? 0
        let host = recorder.host(at: source)
        let outcome = envelope.data.withUnsafeReadableBytes {
            responder.respond(to: $0, host: host, transport: .udp)
        }
        let sender = DNSReplySender(recorder: recorder, outcome: outcome, host: host, source: source, transport: .udp, start: start)
        guard let response = outcome.response else { return sender.record() }
        let reply = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: response))
        sender.send(wrapOutboundOut(reply), context: context, flush: false)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A failed send (e.g. ICMP unreachable reported on the socket) must not close the server.
    }
}

extension SocketAddress {
    /// The IPv4 address in host byte order, or nil for other families.
    var ipv4HostOrder: UInt32? {
        guard case .v4(let a) = self else { return nil }
        return UInt32(bigEndian: a.address.sin_addr.s_addr)
    }
}
