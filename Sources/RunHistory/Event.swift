import FaultlineCore

/// One thing that happened during a run, stamped on the run's monotonic clock.
///
/// `t` is the offset from t = 0 (every host ready); events before the timeline starts have
/// negative offsets. Traffic events carry the time the packet was captured, so they may land in
/// the history a little after events stamped later; checks order by `t`. Every fault, process, probe and verdict lands in the same history, which
/// checks and reports read from.
public struct Event: Sendable, Equatable {
    public var t: TimeSpan
    public var kind: EventKind

    public init(t: TimeSpan, _ kind: EventKind) {
        self.t = t
        self.kind = kind
    }
}

/// What happened. Each case's payload is flat so it reads well as a JSON line.
public enum EventKind: Sendable, Equatable {
    /// The testbed is built: host name → address.
    case testbedReady(addresses: [String: String])
    case processStarted(host: String, pid: Int32, command: String)
    case processOutput(host: String, stream: StdStream, line: String)
    case processExited(host: String, pid: Int32, status: ExitStatus)
    case hostReady(host: String, rule: String)
    /// t = 0: every host is ready and the fault timeline starts.
    case timelineStarted
    case faultApplied(fault: String, planned: TimeSpan, engine: String, detail: String)
    case faultHealed(fault: String, planned: TimeSpan)
    case faultFailed(fault: String, operation: String, error: String)
    /// One probe attempt: `ok` with its latency, or the error it met.
    case probe(probe: String, from: String, target: String, ok: Bool, latency: TimeSpan, detail: String)
    case connection(ConnectionEvent)
    case httpRequest(HTTPRequestEvent)
    case httpResponse(HTTPResponseEvent)
    case captureStats(CaptureStats)
    /// A UDP flow starting, answered by ICMP unreachable, or ending, from the capture.
    case udpFlow(UDPFlowEvent)
    /// A DNS query or response crossing the router, from the capture (the server's own view of
    /// the queries it answered is `dnsQuery`).
    case dnsMessage(DNSMessageEvent)
    /// One DNS query the scenario's server received and what it did (`outcome`, written as
    /// `rcode`: `NOERROR`, `NXDOMAIN`, …, `dropped` or `ignored`); `answers` are `TYPE data` strings; `latency`
    /// runs from receipt to the write (delays included); `fault` names the hijack that shaped it.
    case dnsQuery(
        host: String, name: String, type: String, transport: String, outcome: DNSQueryOutcome, answers: [String],
        truncated: Bool, latency: TimeSpan, fault: String?)
    case timelineEnded
    /// A host's CPU use, sampled from its cgroup: seconds used since the cgroup was made, and the
    /// share of one CPU (100 = one full CPU) since the previous sample.
    case cpuSample(host: String, cpuSeconds: Double, percent: Double)
    /// What a `cpu: { load: }` fault's workers actually burned while it was applied.
    case stressMeasured(fault: String, host: String, workers: Int, cpuSeconds: Double, wallSeconds: Double)
    /// SIGINT/SIGTERM arrived; the run heals, tears down and reports as interrupted.
    case interrupted(signal: String)
    case note(message: String)
}

public enum StdStream: String, Sendable, Codable { case stdout, stderr }
