/// A network partition: traffic between hosts is cut, per ordered pair, in one of three ways.
public struct Partition: Codable, Sendable, Equatable {
    /// The directed pairs that are cut; `between: [a, b]` gives both directions.
    public var cuts: [DirectedPair]
    public var mode: PartitionMode

    public init(cuts: [DirectedPair], mode: PartitionMode = .drop) {
        self.cuts = cuts
        self.mode = mode
    }
}

/// Traffic from `from` to `to` (one direction).
public struct DirectedPair: Codable, Sendable, Hashable, CustomStringConvertible {
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    public var description: String { "\(from)→\(to)" }
}

/// How a cut link fails, as the client sees it.
public enum PartitionMode: String, Codable, Sendable, CaseIterable {
    /// Silent loss: packets vanish in the router; connects time out.
    case drop
    /// Fail fast: the sender's own routing refuses the destination (`EHOSTUNREACH`).
    case reject
    /// Connection refused: a TCP reset answers every attempt (`ECONNREFUSED`).
    case reset
}
