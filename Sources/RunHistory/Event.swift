import ScenarioFormat

/// One thing that happened during a run, stamped on the run's monotonic clock.
///
/// `t` is the offset from t = 0 (every host ready); events before the timeline starts have
/// negative offsets. Every fault, process, probe and verdict lands in the same history, which
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
    case timelineEnded
    /// SIGINT/SIGTERM arrived; the run heals, tears down and reports as interrupted.
    case interrupted(signal: String)
    case note(message: String)
}

public enum StdStream: String, Sendable, Codable { case stdout, stderr }

/// How a process ended: an exit code or the signal that killed it.
public enum ExitStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let c): "exit \(c)"
        case .signaled(let s): "signal \(s)"
        }
    }
}
