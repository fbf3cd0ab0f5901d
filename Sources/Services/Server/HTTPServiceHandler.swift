import FaultlineCore
import Foundation
import NIOCore
import NIOHTTP1
import RunHistory
import ScenarioFormat

/// Serves one connection of a stand-in: assembles requests, records them, lets the fault rules
/// and the responder answer, and writes each answer as one buffer in one write and flush.
///
/// Requests are answered in order (pipelined ones wait for the one before); keep-alive follows
/// HTTP/1.1 (`Connection: close` or HTTP/1.0 without keep-alive ends the connection).
final class HTTPServiceHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private let responder: any HTTPResponder
    private let rules: HTTPFaultRules
    private let recorder: ServiceRecorder
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var arrived: UInt64 = 0
    private var pending: [(request: ServiceRequest, arrived: UInt64)] = []
    private var busy = false
    private var client = ServiceClient.unknown

    init(responder: any HTTPResponder, rules: HTTPFaultRules, recorder: ServiceRecorder) {
        self.responder = responder
        self.rules = rules
        self.recorder = recorder
    }

    func channelActive(context: ChannelHandlerContext) {
        client = recorder.client(at: context.channel.remoteAddress)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            arrived = RunClock.monotonicNow()
        case .body(var chunk):
            body += chunk.readBytes(length: chunk.readableBytes) ?? []
        case .end:
            guard let h = head else { return }
            head = nil
            let request = ServiceRequest(
                method: h.method.rawValue, uri: h.uri, headers: h.headers, body: body, keepAlive: h.isKeepAlive)
            pending.append((request, arrived))
            serveNext(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A malformed request: answer 400 once and close, as an HTTP server does.
        if error is HTTPParserError, context.channel.isActive {
            let response = ServiceResponse(status: 400, text: "bad request\n")
            context.writeAndFlush(wrapOutboundOut(response.encoded(keepAlive: false)), promise: nil)
        }
        context.close(promise: nil)
    }

    private func serveNext(context: ChannelHandlerContext) {
        guard !busy, !pending.isEmpty else { return }
        busy = true
        let (request, arrived) = pending.removeFirst()
        let exchange = recorder.request(request, from: client)
        let decision = rules.decide(method: request.method, path: request.path ?? request.rawPath)
        let loop = context.eventLoop
        let answer: EventLoopFuture<ServiceResponse?>
        switch decision?.action {
        case .reply(let reply):
            answer = loop.makeSucceededFuture(reply.response)
        case .abort:
            answer = loop.makeSucceededFuture(nil)
        case .pass, nil:
            answer = responder.answer(request, on: loop).map { $0 }
        }
        let delayed: EventLoopFuture<ServiceResponse?>
        if let delay = decision?.delay, delay > .zero {
            delayed = answer.flatMap { r in loop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) { r }.futureResult }
        } else {
            delayed = answer
        }
        // Every future here completes on the channel's loop; `assumeIsolated` lets the handler and
        // its context be used there without crossing threads.
        delayed.hop(to: loop).assumeIsolated().whenComplete { result in
            guard context.channel.isActive else { return }
            if case .abort(let mode) = decision?.action {
                self.abort(context: context, mode: mode)
                return
            }
            let response = (try? result.get()).flatMap { $0 }
                ?? ServiceResponse(status: 500, text: "stand-in failed\n")
            self.write(response, request: request, exchange: exchange, arrived: arrived, fault: decision?.fault,
                       context: context)
        }
    }

    private func write(_ response: ServiceResponse, request: ServiceRequest, exchange: Int, arrived: UInt64,
                       fault: String?, context: ChannelHandlerContext) {
        let keepAlive = request.keepAlive
        let buffer = response.encoded(keepAlive: keepAlive, includeBody: request.method != "HEAD",
                                      allocator: context.channel.allocator)
        let latency = TimeSpan(nanoseconds: Int64(RunClock.monotonicNow() - arrived))
        // Recorded before the write, so the history holds the answer by the time the client has it.
        recorder.response(exchange: exchange, to: client, status: response.status,
                          retryAfter: response.header("Retry-After"), latency: latency, fault: fault)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        busy = false
        if keepAlive {
            serveNext(context: context)
        } else {
            context.close(promise: nil)
        }
    }

    /// Drops the connection without an answer: `reset` sends RST (linger 0), `close` a FIN.
    private func abort(context: ChannelHandlerContext, mode: HTTPAbort) {
        pending.removeAll()
        context.channel.abort(mode)
    }
}

extension HTTPFaultReply {
    /// The answer a fault gives in the service's place.
    var response: ServiceResponse {
        var headers: [(name: String, value: String)] = []
        if let retryAfter { headers.append(("Retry-After", String(retryAfter))) }
        if !body.isEmpty { headers.append(("Content-Type", "text/plain")) }
        return ServiceResponse(status: status, headers: headers, text: body)
    }
}
