import FaultlineCore

/// Events are written as flat JSON objects with a `type` discriminator:
/// `{"t":5.001,"type":"fault.applied","fault":"split","planned":5,"engine":"fib-rule","detail":"…"}`.
extension Event: Codable {
    private enum Key: String, CodingKey {
        case t, type, addresses, host, pid, command, stream, line, status, rule, fault, planned, engine
        case detail, operation, error, probe, from, target, ok, latency, signal, message
        case cpuSeconds, percent, workers, wallSeconds
        case name, qtype, transport, rcode, answers, truncated
    }

    public var type: String {
        switch kind {
        case .testbedReady: "testbed.ready"
        case .processStarted: "process.started"
        case .processOutput: "process.output"
        case .processExited: "process.exited"
        case .hostReady: "host.ready"
        case .timelineStarted: "timeline.started"
        case .faultApplied: "fault.applied"
        case .faultHealed: "fault.healed"
        case .faultFailed: "fault.failed"
        case .probe: "probe"
        case .connection: "tcp.connection"
        case .httpRequest: "http.request"
        case .httpResponse: "http.response"
        case .captureStats: "capture.stats"
        case .udpFlow: "udp.flow"
        case .dnsMessage: "dns.message"
        case .dnsQuery: "dns.query"
        case .timelineEnded: "timeline.ended"
        case .cpuSample: "cpu.sample"
        case .stressMeasured: "stress.measured"
        case .interrupted: "interrupted"
        case .note: "note"
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(t, forKey: .t)
        try c.encode(type, forKey: .type)
        switch kind {
        case .testbedReady(let addresses):
            try c.encode(addresses, forKey: .addresses)
        case .processStarted(let host, let pid, let command):
            try c.encode(host, forKey: .host)
            try c.encode(pid, forKey: .pid)
            try c.encode(command, forKey: .command)
        case .processOutput(let host, let stream, let line):
            try c.encode(host, forKey: .host)
            try c.encode(stream, forKey: .stream)
            try c.encode(line, forKey: .line)
        case .processExited(let host, let pid, let status):
            try c.encode(host, forKey: .host)
            try c.encode(pid, forKey: .pid)
            try c.encode(status, forKey: .status)
        case .hostReady(let host, let rule):
            try c.encode(host, forKey: .host)
            try c.encode(rule, forKey: .rule)
        case .timelineStarted, .timelineEnded:
            break
        case .faultApplied(let fault, let planned, let engine, let detail):
            try c.encode(fault, forKey: .fault)
            try c.encode(planned, forKey: .planned)
            try c.encode(engine, forKey: .engine)
            try c.encode(detail, forKey: .detail)
        case .faultHealed(let fault, let planned):
            try c.encode(fault, forKey: .fault)
            try c.encode(planned, forKey: .planned)
        case .faultFailed(let fault, let operation, let error):
            try c.encode(fault, forKey: .fault)
            try c.encode(operation, forKey: .operation)
            try c.encode(error, forKey: .error)
        case .probe(let probe, let from, let target, let ok, let latency, let detail):
            try c.encode(probe, forKey: .probe)
            try c.encode(from, forKey: .from)
            try c.encode(target, forKey: .target)
            try c.encode(ok, forKey: .ok)
            try c.encode(latency, forKey: .latency)
            try c.encode(detail, forKey: .detail)
        // Struct payloads encode their own keys beside `t` and `type`: one flat object.
        case .connection(let p): try p.encode(to: encoder)
        case .httpRequest(let p): try p.encode(to: encoder)
        case .httpResponse(let p): try p.encode(to: encoder)
        case .captureStats(let p): try p.encode(to: encoder)
        case .udpFlow(let p): try p.encode(to: encoder)
        case .dnsMessage(let p): try p.encode(to: encoder)
        case .cpuSample(let host, let cpuSeconds, let percent):
            try c.encode(host, forKey: .host)
            try c.encode(cpuSeconds, forKey: .cpuSeconds)
            try c.encode(percent, forKey: .percent)
        case .stressMeasured(let fault, let host, let workers, let cpuSeconds, let wallSeconds):
            try c.encode(fault, forKey: .fault)
            try c.encode(host, forKey: .host)
            try c.encode(workers, forKey: .workers)
            try c.encode(cpuSeconds, forKey: .cpuSeconds)
            try c.encode(wallSeconds, forKey: .wallSeconds)
        case .dnsQuery(let host, let name, let type, let transport, let outcome, let answers, let truncated, let latency, let fault):
            try c.encode(host, forKey: .host)
            try c.encode(name, forKey: .name)
            try c.encode(type, forKey: .qtype)
            try c.encode(transport, forKey: .transport)
            try c.encode(outcome, forKey: .rcode)
            try c.encode(answers, forKey: .answers)
            try c.encode(truncated, forKey: .truncated)
            try c.encode(latency, forKey: .latency)
            try c.encodeIfPresent(fault, forKey: .fault)
        case .interrupted(let signal):
            try c.encode(signal, forKey: .signal)
        case .note(let message):
            try c.encode(message, forKey: .message)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let t = try c.decode(TimeSpan.self, forKey: .t)
        let type = try c.decode(String.self, forKey: .type)
        func s(_ k: Key) throws -> String { try c.decode(String.self, forKey: k) }
        let kind: EventKind
        switch type {
        case "testbed.ready": kind = .testbedReady(addresses: try c.decode([String: String].self, forKey: .addresses))
        case "process.started":
            kind = .processStarted(host: try s(.host), pid: try c.decode(Int32.self, forKey: .pid), command: try s(.command))
        case "process.output":
            kind = .processOutput(
                host: try s(.host), stream: try c.decode(StdStream.self, forKey: .stream), line: try s(.line))
        case "process.exited":
            kind = .processExited(
                host: try s(.host), pid: try c.decode(Int32.self, forKey: .pid),
                status: try c.decode(ExitStatus.self, forKey: .status))
        case "host.ready": kind = .hostReady(host: try s(.host), rule: try s(.rule))
        case "timeline.started": kind = .timelineStarted
        case "timeline.ended": kind = .timelineEnded
        case "fault.applied":
            kind = .faultApplied(
                fault: try s(.fault), planned: try c.decode(TimeSpan.self, forKey: .planned),
                engine: try s(.engine), detail: try s(.detail))
        case "fault.healed":
            kind = .faultHealed(fault: try s(.fault), planned: try c.decode(TimeSpan.self, forKey: .planned))
        case "fault.failed": kind = .faultFailed(fault: try s(.fault), operation: try s(.operation), error: try s(.error))
        case "probe":
            kind = .probe(
                probe: try s(.probe), from: try s(.from), target: try s(.target),
                ok: try c.decode(Bool.self, forKey: .ok), latency: try c.decode(TimeSpan.self, forKey: .latency),
                detail: try s(.detail))
        case "tcp.connection": kind = .connection(try ConnectionEvent(from: decoder))
        case "http.request": kind = .httpRequest(try HTTPRequestEvent(from: decoder))
        case "http.response": kind = .httpResponse(try HTTPResponseEvent(from: decoder))
        case "capture.stats": kind = .captureStats(try CaptureStats(from: decoder))
        case "udp.flow": kind = .udpFlow(try UDPFlowEvent(from: decoder))
        case "dns.message": kind = .dnsMessage(try DNSMessageEvent(from: decoder))
        case "cpu.sample":
            kind = .cpuSample(
                host: try s(.host), cpuSeconds: try c.decode(Double.self, forKey: .cpuSeconds),
                percent: try c.decode(Double.self, forKey: .percent))
        case "stress.measured":
            kind = .stressMeasured(
                fault: try s(.fault), host: try s(.host), workers: try c.decode(Int.self, forKey: .workers),
                cpuSeconds: try c.decode(Double.self, forKey: .cpuSeconds),
                wallSeconds: try c.decode(Double.self, forKey: .wallSeconds))
        case "dns.query":
            kind = .dnsQuery(
                host: try s(.host), name: try s(.name), type: try s(.qtype), transport: try s(.transport),
                outcome: try c.decode(DNSQueryOutcome.self, forKey: .rcode), answers: try c.decode([String].self, forKey: .answers),
                truncated: try c.decode(Bool.self, forKey: .truncated),
                latency: try c.decode(TimeSpan.self, forKey: .latency),
                fault: try c.decodeIfPresent(String.self, forKey: .fault))
        case "interrupted": kind = .interrupted(signal: try s(.signal))
        case "note": kind = .note(message: try s(.message))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown event type \(type)")
        }
        self.init(t: t, kind)
    }
}
