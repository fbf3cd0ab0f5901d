import Foundation
import Netlink
import Testbed

/// The seam in front of netfilter. No netlink library at hand writes `REJECT --reject-with
/// tcp-reset` rules, so the real one spawns `iptables` inside the namespace.
public protocol Netfilter: Sendable {
    /// Inserts `rule` at the top of its chain. Equivalent to: `ip netns exec NS iptables -w -I …`.
    func insert(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws
    /// Deletes `rule`; a rule that is not there is not an error.
    /// Equivalent to: `ip netns exec NS iptables -w -D …`.
    func delete(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws
}

/// Spawns `iptables` (posix_spawn) from the namespace's ``NamespaceThread``, so the child starts
/// inside that namespace.
public struct SpawningIPTables: Netfilter {
    private let thread: @Sendable (NetworkNamespace) -> NamespaceThread?

    public init(thread: @escaping @Sendable (NetworkNamespace) -> NamespaceThread?) {
        self.thread = thread
    }

    /// Uses the topology's threads.
    public init(topology: Topology) {
        self.init { [weak topology] in topology?.thread(in: $0) }
    }

    /// The path of `iptables`; throws naming the Debian package if it is missing.
    public static func executable() throws -> String {
        guard let path = ExternalCommand.locate("iptables") else {
            throw FaultError(.missingTool("iptables", debianPackage: "iptables"))
        }
        return path
    }

    public func insert(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws {
        let outcome = try run(rule.arguments(inserting: true), in: namespace)
        guard outcome.outcome.succeeded else { throw failure(outcome) }
    }

    public func delete(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws {
        let outcome = try run(rule.arguments(inserting: false), in: namespace)
        // Status 1 with "does a matching rule exist" (nft) or "Bad rule" (legacy): already gone.
        let gone = outcome.outcome.status == 1
            && (outcome.outcome.standardError.contains("matching rule") || outcome.outcome.standardError.contains("Bad rule"))
        guard outcome.outcome.succeeded || gone else { throw failure(outcome) }
    }

    private func run(_ arguments: [String], in namespace: NetworkNamespace) throws -> (command: String, outcome: ExternalCommand.Outcome) {
        let path = try Self.executable()
        guard let thread = thread(namespace) else { throw FaultError(.namespaceNotInTopology(namespace.name)) }
        let command = "ip netns exec \(namespace.name) iptables \(arguments.joined(separator: " "))"
        return (command, try thread.run { try ExternalCommand.run(path, arguments) })
    }

    private func failure(_ result: (command: String, outcome: ExternalCommand.Outcome)) -> FaultError {
        FaultError(.toolFailed(command: result.command, status: result.outcome.status, standardError: result.outcome.standardError))
    }
}

/// Writes iptables calls into a ``RecordingBackend``'s trace, so one trace shows netlink and
/// netfilter changes in the order they happened.
public struct RecordingNetfilter: Netfilter {
    public let recorder: RecordingBackend

    public init(into recorder: RecordingBackend) { self.recorder = recorder }

    public func insert(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws {
        try recorder.record("ip netns exec \(namespace.name) iptables \(rule.arguments(inserting: true).joined(separator: " "))")
    }

    public func delete(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws {
        try recorder.record("ip netns exec \(namespace.name) iptables \(rule.arguments(inserting: false).joined(separator: " "))")
    }
}
