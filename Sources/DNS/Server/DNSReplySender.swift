import FaultlineCore
import NIOCore
import RunHistory
import ScenarioFormat

/// Sends the TCP handler's reply, now or after a hijack's delay, and records the query once the
/// reply is written (so the recorded latency includes the delay).
struct DNSReplySender {
    let recorder: DNSQueryRecorder
    let outcome: DNSResponder.Outcome
    let host: String?
    let source: UInt32
    let transport: DNSTransport
    /// Monotonic nanoseconds at receipt.
    let start: UInt64

    /// Writes `reply` (`flush`: at once; otherwise the handler flushes at the end of the read burst).
    func send(_ reply: NIOAny, context: ChannelHandlerContext, flush: Bool) {
        guard let delay = outcome.delay else {
            flush ? context.writeAndFlush(reply, promise: nil) : context.write(reply, promise: nil)
            record()
            return
        }
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let boundReply = NIOLoopBound(reply, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
            boundContext.value.writeAndFlush(boundReply.value, promise: nil)
            record()
        }
    }

    /// Records the query as handled now (also for queries that get no reply).
    func record() {
        let latency = TimeSpan(nanoseconds: Int64(RunClock.monotonicNow() &- start))
        recorder.record(outcome, host: host, source: source, transport: transport, latency: latency)
    }
}
