import FaultlineCore
/// A fault on the timeline: what happens (`kind`), when it starts and how long it lasts.
public struct Fault: Codable, Sendable, Equatable {
    public var name: String
    /// Offset from t = 0 at which the fault is applied.
    public var at: TimeSpan
    /// How long it lasts (`for:`); nil lasts until the end of the run.
    public var duration: TimeSpan?
    public var kind: FaultKind

    public init(name: String, at: TimeSpan, duration: TimeSpan? = nil, kind: FaultKind) {
        self.name = name
        self.at = at
        self.duration = duration
        self.kind = kind
    }

    /// When the fault heals, given the run's length.
    public func end(runDuration: TimeSpan) -> TimeSpan { duration.map { at + $0 } ?? runDuration }
}

/// Every kind of fault Faultline can play. A new kind is a new case here, one file of its own,
/// and the compiler then points at every `switch` that must handle it.
public enum FaultKind: Codable, Sendable, Equatable {
    case partition(Partition)
    case link(LinkFault)
    case cpu(CPUFault)
    case process(ProcessFault)
    /// A DNS hijack: forged answers, errors, silence, delays or truncation for matching queries.
    case dns(DNSHijack)
    /// A stand-in service answers differently (status, delay, dropped connection).
    case http(HTTPFault)
    /// A TLS stand-in's handshakes meet another certificate, an old version, or a reset.
    case tls(TLSFault)

    /// The key that introduces this kind in a scenario file.
    public var keyword: String {
        switch self {
        case .partition: "partition"
        case .link: "link"
        case .cpu: "cpu"
        case .process: "process"
        case .dns: "dns"
        case .http: "http"
        case .tls: "tls"
        }
    }
}
