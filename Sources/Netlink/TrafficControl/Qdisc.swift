/// A queueing discipline on a device.
///
/// Equivalent to: `tc qdisc add dev DEV (root | parent P) handle H KIND …`.
public struct Qdisc: Hashable, Sendable, CustomStringConvertible {
    public var device: String
    public var parent: TrafficControlHandle
    public var handle: TrafficControlHandle
    public var kind: Kind

    public enum Kind: Hashable, Sendable {
        /// `htb default N`: unclassified packets go to class N (0: sent unshaped).
        case htb(defaultClass: UInt16)
        /// `tbf rate R burst B limit L`, in bytes per second and bytes.
        case tbf(bytesPerSecond: UInt64, burst: UInt32, limit: UInt32)
        case netem(Netem)
    }

    public init(device: String, parent: TrafficControlHandle = .root, handle: TrafficControlHandle, kind: Kind) {
        self.device = device
        self.parent = parent
        self.handle = handle
        self.kind = kind
    }

    /// `htb`, `tbf` or `netem`: the kind as the kernel names it.
    public var kindName: String {
        switch kind {
        case .htb: "htb"
        case .tbf: "tbf"
        case .netem: "netem"
        }
    }

    public var description: String {
        let place = parent == .root ? "root" : "parent \(parent)"
        let params: String
        switch kind {
        case .htb(let d): params = "htb default \(d)"
        case .tbf(let rate, let burst, let limit): params = "tbf rate \(rate * 8)bit burst \(burst) limit \(limit)"
        case .netem(let n): params = "netem \(n)"
        }
        return "dev \(device) \(place) handle \(handle) \(params)"
    }
}

/// netem's parameters, in the units `tc` uses (`tc qdisc … netem delay 50ms 10ms 25% …`).
/// Probabilities are fractions in 0…1; times are microseconds.
public struct Netem: Hashable, Sendable, CustomStringConvertible {
    public var delayMicroseconds: UInt32 = 0
    public var jitterMicroseconds: UInt32 = 0
    public var delayCorrelation: Double = 0
    /// `normal`, `pareto`, `paretonormal` (tables from iproute2's `/usr/lib/tc`); nil: uniform.
    public var distribution: String?
    public var loss: Double = 0
    public var duplicate: Double = 0
    public var corrupt: Double = 0
    public var reorder: Double = 0
    public var gap: UInt32 = 0
    /// Packets held at most (netem's default 1000 caps delay × rate; raise for long delays).
    public var limit: UInt32 = 10_000

    public init() {}

    public var description: String {
        var parts = ["limit \(limit)"]
        if delayMicroseconds > 0 || jitterMicroseconds > 0 {
            var d = "delay \(delayMicroseconds)us"
            if jitterMicroseconds > 0 { d += " \(jitterMicroseconds)us" }
            if delayCorrelation > 0 { d += " \(Self.percent(delayCorrelation))" }
            if let distribution { d += " distribution \(distribution)" }
            parts.append(d)
        }
        if loss > 0 { parts.append("loss random \(Self.percent(loss))") }
        if duplicate > 0 { parts.append("duplicate \(Self.percent(duplicate))") }
        if corrupt > 0 { parts.append("corrupt \(Self.percent(corrupt))") }
        if reorder > 0 { parts.append("reorder \(Self.percent(reorder)) gap \(gap)") }
        return parts.joined(separator: " ")
    }

    static func percent(_ f: Double) -> String {
        var s = String(f * 100)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s + "%"
    }
}
