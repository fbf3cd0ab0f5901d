import FaultlineCore
import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import RunHistory
import ScenarioFormat

/// Serves one gRPC call (one HTTP/2 stream) of a stand-in: reads its headers and its
/// length-prefixed messages, records it, lets the fault rules shape it, and answers with headers,
/// messages and trailers (or Trailers-Only), as gRPC over HTTP/2 has it.
///
/// Unary calls are answered when the client ends its stream; streaming calls are handed to a
/// ``GRPCStreamSession`` as messages arrive. Whatever ends the call (the status, a reset, the
/// connection) is recorded once.
final class GRPCCallHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    /// The largest request message taken (gRPC's default receive limit is 4 MiB).
    static let maxMessage = 4 << 20

    private let responder: any GRPCResponder
    private let rules: HTTPFaultRules
    private let recorder: ServiceRecorder
    private var context: ChannelHandlerContext?
    private var client = ServiceClient.unknown
    private var stream: Int?

    private enum State {
        /// Waiting for the request headers.
        case idle
        /// A fault holds the call until its delay is over; messages wait in `buffer`.
        case held
        case unary(@Sendable ([UInt8]) throws(GRPCStatus) -> [UInt8], messages: [[UInt8]])
        case streaming(any GRPCStreamSession)
        /// Answered (or dropped): what still arrives is ignored.
        case done
    }

    private var state = State.idle
    private var exchange = 0
    private var arrived: UInt64 = 0
    private var fault: String?
    private var sentHeaders = false
    private var buffer: ByteBuffer?
    private var clientEnded = false

    init(responder: any GRPCResponder, rules: HTTPFaultRules, recorder: ServiceRecorder) {
        self.responder = responder
        self.rules = rules
        self.recorder = recorder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        client = recorder.client(at: context.channel.parent?.remoteAddress)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        end(reset: "stream closed")
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let h):
            if case .idle = state {
                begin(h.headers, context: context)
            }
            if h.endStream { clientFinished() }
        case .data(let d):
            guard case .byteBuffer(var bytes) = d.data else { break }
            buffer.setOrWriteBuffer(&bytes)
            deliverMessages()
            if d.endStream { clientFinished() }
        default:
            break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let closed = event as? StreamClosedEvent {
            end(reset: closed.reason.map { "RST_STREAM \(H2ErrorCode.name(UInt32($0.networkCode))) (client)" } ?? "stream closed")
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(reset: "connection closed")
        context.fireChannelInactive()
    }

    // MARK: The call

    private func begin(_ headers: HPACKHeaders, context: ChannelHandlerContext) {
        arrived = RunClock.monotonicNow()
        let path = headers.first(name: ":path") ?? ""
        let method = headers.first(name: ":method") ?? ""
        stream = (try? context.channel.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID)).map { Int($0) }
        var kept = HTTPHeaders()
        for (name, value, _) in headers where !name.hasPrefix(":") { kept.add(name: name, value: value) }
        let isGRPC = headers.first(name: "content-type")?.hasPrefix("application/grpc") ?? false
        exchange = recorder.request(ServiceRequest(method: method, uri: path, headers: kept), from: client,
                                    stream: stream, grpc: isGRPC)
        guard method == "POST", isGRPC else {
            // Not a gRPC call: gRPC servers answer 415 (gRPC over HTTP/2, "Requests").
            answerHTTP(status: method == "POST" ? 415 : 405)
            return
        }
        let decision = rules.decide(method: method, path: path)
        fault = decision?.fault
        let handling: GRPCMethod
        switch decision?.action {
        case .reply(let reply):
            let answer = { [self] in
                if let code = reply.grpcStatus {
                    finish(GRPCStatus(code, reply.body, pushbackMilliseconds: reply.pushbackMilliseconds))
                } else {
                    answerHTTP(status: reply.status, retryAfter: reply.retryAfter)
                }
            }
            state = .done
            after(decision?.delay, answer)
            return
        case .abort(let mode):
            state = .done
            abortConnection(mode)
            return
        case .pass, nil:
            guard let method = responder.method(for: path) else {
                state = .done
                after(decision?.delay) { [self] in
                    finish(GRPCStatus(.unimplemented, "unknown method \(path)"))
                }
                return
            }
            handling = method
        }
        if let delay = decision?.delay, delay > .zero {
            state = .held
            after(delay) { [self] in
                guard case .held = state else { return }
                start(handling)
            }
        } else {
            start(handling)
        }
    }

    private func start(_ method: GRPCMethod) {
        switch method {
        case .unary(let body): state = .unary(body, messages: [])
        case .bidirectional(let open):
            guard let context else { return }
            let sink = GRPCCallSink(handler: NIOLoopBound(self, eventLoop: context.eventLoop))
            state = .streaming(open(sink))
        }
        deliverMessages()
        if clientEnded { clientFinished() }
    }

    /// Hands every whole message in the buffer to the call.
    private func deliverMessages() {
        while true {
            switch state {
            case .unary, .streaming: break
            case .idle, .held, .done: return
            }
            guard let message = nextMessage() else { return }
            switch state {
            case .unary(let body, var messages):
                messages.append(message)
                state = .unary(body, messages: messages)
            case .streaming(let session):
                do throws(GRPCStatus) {
                    try session.received(message)
                } catch {
                    finish(error)
                }
            case .idle, .held, .done: return
            }
        }
    }

    /// The next length-prefixed message (flag, 4-byte length, bytes), or nil until one is whole.
    private func nextMessage() -> [UInt8]? {
        guard var b = buffer, b.readableBytes >= 5,
              let flag = b.getInteger(at: b.readerIndex, as: UInt8.self),
              let length = b.getInteger(at: b.readerIndex + 1, as: UInt32.self) else { return nil }
        guard flag == 0 else {
            finish(GRPCStatus(.unimplemented, "compressed messages are not served (grpc-encoding identity only)"))
            return nil
        }
        guard Int(length) <= Self.maxMessage else {
            finish(GRPCStatus(.resourceExhausted, "message of \(length) bytes is over the 4 MiB limit"))
            return nil
        }
        guard b.readableBytes >= 5 + Int(length) else { return nil }
        b.moveReaderIndex(forwardBy: 5)
        let message = b.readBytes(length: Int(length)) ?? []
        buffer = b
        return message
    }

    private func clientFinished() {
        clientEnded = true
        switch state {
        case .unary(let body, let messages):
            guard messages.count == 1 else {
                finish(GRPCStatus(.internal, messages.isEmpty ? "no request message" : "more than one request message"))
                return
            }
            do throws(GRPCStatus) {
                let response = try body(messages[0])
                send(response)
                finish(.ok)
            } catch {
                finish(error)
            }
        case .streaming(let session):
            session.clientFinished()
        case .idle, .held, .done:
            break
        }
    }

    // MARK: Answers

    private func responseHeaders() -> HPACKHeaders {
        [":status": "200", "content-type": "application/grpc"]
    }

    /// Sends one response message (the response headers first, once).
    func send(_ message: [UInt8]) {
        guard let context, exchange != 0 else { return }
        if !sentHeaders {
            sentHeaders = true
            context.write(wrapOutboundOut(.headers(.init(headers: responseHeaders()))), promise: nil)
        }
        var b = context.channel.allocator.buffer(capacity: 5 + message.count)
        b.writeInteger(UInt8(0))
        b.writeInteger(UInt32(message.count))
        b.writeBytes(message)
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(b)))), promise: nil)
    }

    /// Ends the call with `status`: trailers after messages, or Trailers-Only when none was sent.
    func finish(_ status: GRPCStatus) {
        guard let context, exchange != 0 else { return }
        var trailers: HPACKHeaders = sentHeaders ? [:] : responseHeaders()
        trailers.add(name: "grpc-status", value: String(status.code.rawValue))
        if !status.message.isEmpty { trailers.add(name: "grpc-message", value: Self.percentEncoded(status.message)) }
        if let ms = status.pushbackMilliseconds { trailers.add(name: "grpc-retry-pushback-ms", value: String(ms)) }
        record(status: 200, grpc: status)
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
        close()
    }

    /// An HTTP answer with no gRPC status, as a proxy in front of a gRPC server gives (503, 429 …):
    /// the client maps it to a code itself.
    private func answerHTTP(status: Int, retryAfter: Int? = nil) {
        guard let context, exchange != 0 else { return }
        var headers: HPACKHeaders = [":status": String(status), "content-type": "text/plain"]
        if let retryAfter { headers.add(name: "retry-after", value: String(retryAfter)) }
        record(status: status, grpc: nil, retryAfter: retryAfter.map(String.init))
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers, endStream: true))), promise: nil)
        close()
    }

    private func record(status: Int, grpc: GRPCStatus?, retryAfter: String? = nil, reset: String? = nil) {
        let latency = TimeSpan(nanoseconds: Int64(RunClock.monotonicNow() - arrived))
        // Recorded before the write, so the history holds the answer by the time the client has it.
        recorder.response(exchange: exchange, to: client, status: status, retryAfter: retryAfter, latency: latency,
                          fault: fault, stream: stream, grpc: grpc, reset: reset)
        exchange = 0
    }

    /// The call is over without a status from here (reset by the client, connection lost).
    private func end(reset: String) {
        let session: (any GRPCStreamSession)? = if case .streaming(let s) = state { s } else { nil }
        state = .done
        if exchange != 0 { record(status: sentHeaders ? 200 : 0, grpc: nil, reset: reset) }
        session?.ended()
    }

    private func close() {
        let session: (any GRPCStreamSession)? = if case .streaming(let s) = state { s } else { nil }
        state = .done
        session?.ended()
    }

    private func after(_ delay: TimeSpan?, _ body: @escaping () -> Void) {
        guard let context, let delay, delay > .zero else {
            body()
            return
        }
        let bound = NIOLoopBound(body, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) { bound.value() }
    }

    /// Drops the whole connection: `reset` sends a TCP RST (linger 0), `close` a FIN.
    private func abortConnection(_ mode: HTTPAbort) {
        guard let context, let connection = context.channel.parent else { return }
        exchange = 0
        connection.abort(mode)
    }

    /// `grpc-message` is percent-encoded outside printable ASCII (and `%` itself).
    static func percentEncoded(_ message: String) -> String {
        var out = ""
        for byte in message.utf8 {
            if byte >= 0x20, byte <= 0x7E, byte != 0x25 {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

/// Where a streaming call's session sends its answers; usable from any thread (each send hops to
/// the call's event loop, in order).
public final class GRPCCallSink: Sendable {
    private let handler: NIOLoopBound<GRPCCallHandler>

    init(handler: NIOLoopBound<GRPCCallHandler>) {
        self.handler = handler
    }

    public func send(_ message: [UInt8]) {
        let handler = handler
        handler.eventLoop.execute { handler.value.send(message) }
    }

    public func finish(_ status: GRPCStatus) {
        let handler = handler
        handler.eventLoop.execute { handler.value.finish(status) }
    }
}
