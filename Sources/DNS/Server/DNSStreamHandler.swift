import LinuxSystem
import NIOCore
import RunHistory
import ScenarioFormat

/// Splits a TCP stream into DNS messages by their 2-byte length prefix (RFC 1035 §4.2.2).
struct DNSStreamFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        context.fireChannelRead(NIOAny(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}

/// Answers DNS over TCP: each response goes out as its length prefix and message in one write.
final class DNSStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responder: DNSResponder
    private let recorder: DNSQueryRecorder
    private var source: UInt32 = 0
    private var host: String?

    init(responder: DNSResponder, recorder: DNSQueryRecorder) {
        self.responder = responder
        self.recorder = recorder
    }

    func channelActive(context: ChannelHandlerContext) {
        source = context.remoteAddress?.ipv4HostOrder ?? 0
        host = recorder.host(at: source)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let start = RunClock.monotonicNow()
        let message = unwrapInboundIn(data)
        let (host, source, recorder, responder) = (self.host, self.source, self.recorder, self.responder)
        let outcome = message.withUnsafeReadableBytes { responder.respond(to: $0, host: host, transport: .tcp) }
        let sender = DNSReplySender(recorder: recorder, outcome: outcome, host: host, source: source, transport: .tcp, start: start)
        guard let response = outcome.response else { return sender.record() }
        var out = context.channel.allocator.buffer(capacity: response.count + 2)
        out.writeInteger(UInt16(response.count))
        out.writeBytes(response)
        sender.send(wrapOutboundOut(out), context: context, flush: true)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

extension SocketAddress {
    /// The IPv4 address in host byte order, or nil for other families.
    var ipv4HostOrder: UInt32? {
        guard case .v4(let a) = self else { return nil }
        return UInt32(bigEndian: a.address.sin_addr.s_addr)
    }
}
