import Foundation
import LinuxSystem
import Netlink
import Testbed

/// The seam in front of netfilter. No netlink library at hand writes `REJECT --reject-with
/// tcp-reset` rules, so the real one spawns `iptables` inside the namespace.
///
/// Which `iptables` is chosen by a probe (``IPTablesVariant``): Debian's default is the nf_tables
/// backend, but kernels whose nf_tables lacks the IPv4 family (the guest kernel) still offer
/// x_tables through `iptables-legacy`.
public protocol Netfilter: Sendable {
    /// Inserts `rule` at the top of its chain. Equivalent to: `ip netns exec NS iptables -w -I …`.
    func insert(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws
    /// Deletes `rule`; a rule that is not there is not an error.
    /// Equivalent to: `ip netns exec NS iptables -w -D …`.
    func delete(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws
    /// Inserts every rule in one transaction: all or none.
    /// Equivalent to: `ip netns exec NS iptables-restore -w --noflush` with one `-I`/`-A` line each.
    func insert(_ rules: [IPTablesRule], in namespace: NetworkNamespace) throws
    /// Deletes every rule; rules that are not there are not an error.
    func delete(_ rules: [IPTablesRule], in namespace: NetworkNamespace) throws
}

extension Netfilter {
    /// One rule at a time, undoing the ones inserted when one fails.
    public func insert(_ rules: [IPTablesRule], in namespace: NetworkNamespace) throws {
        var done: [IPTablesRule] = []
        do {
            for rule in rules {
                try insert(rule, in: namespace)
                done.append(rule)
            }
        } catch {
            for rule in done.reversed() { try? delete(rule, in: namespace) }
            throw error
        }
    }

    /// One rule at a time, trying every one; throws the first failure.
    public func delete(_ rules: [IPTablesRule], in namespace: NetworkNamespace) throws {
        var firstError: Error?
        for rule in rules {
            do { try delete(rule, in: namespace) } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
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

    /// The `iptables` that works in this kernel, probed from `thread`'s namespace; throws naming
    /// the Debian package if there is none.
    public static func executable(on thread: NamespaceThread) throws -> String {
        try IPTablesVariant.choose(on: thread).path
    }

    public func insert(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws {
        let outcome = try run(rule.arguments(rule.addVerb), in: namespace)
        guard outcome.outcome.succeeded else { throw failure(outcome) }
    }

    /// Every rule in one `iptables-restore --noflush` call: one process instead of one per rule
    /// (a process costs 10–40 ms here and 0.1–1 s in the guest kernel), and atomic.
    public func insert(_ rules: [IPTablesRule], in namespace: NetworkNamespace) throws {
        if rules.count < 2 { return try rules.forEach { try insert($0, in: namespace) } }
        let outcome = try restore(rules.map { $0.arguments($0.addVerb) }, in: namespace)
        guard outcome.outcome.succeeded else { throw failure(outcome) }
    }

    /// One `iptables-restore --noflush` call; a rule already gone fails that transaction as a
    /// whole, so then each rule is deleted on its own (absence is fine there).
    public func delete(_ rules: [IPTablesRule], in namespace: NetworkNamespace) throws {
        if rules.count >= 2, try restore(rules.map { $0.arguments(.delete) }, in: namespace).outcome.succeeded { return }
        var firstError: Error?
        for rule in rules {
            do { try delete(rule, in: namespace) } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }

    public func delete(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws {
        let outcome = try run(rule.arguments(.delete), in: namespace)
        // Status 1 with "does a matching rule exist" (nft), or "Bad rule" / "No chain/target/match"
        // (legacy, whose REJECT rules once deleted read as an unknown match): already gone.
        let error = outcome.outcome.standardError
        let gone = outcome.outcome.status == 1
            && (error.contains("matching rule") || error.contains("Bad rule") || error.contains("No chain/target/match"))
        guard outcome.outcome.succeeded || gone else { throw failure(outcome) }
    }

    private func run(_ arguments: [String], in namespace: NetworkNamespace) throws -> (command: String, outcome: ExternalCommand.Outcome) {
        guard let thread = thread(namespace) else { throw FaultError(.namespaceNotInTopology(namespace.name)) }
        let path = try Self.executable(on: thread)
        let command = "ip netns exec \(namespace.name) iptables \(arguments.joined(separator: " "))"
        return (command, try thread.run { try ExternalCommand.run(path, arguments) })
    }

    /// `iptables-restore -w --noflush FILE` with the filter table's lines (each rule's arguments
    /// without `-w`), in the namespace.
    private func restore(_ lines: [[String]], in namespace: NetworkNamespace) throws -> (command: String, outcome: ExternalCommand.Outcome) {
        guard let thread = thread(namespace) else { throw FaultError(.namespaceNotInTopology(namespace.name)) }
        let restore = try IPTablesVariant.choose(on: thread).restorePath
        let body = (["*filter"] + lines.map { $0.filter { $0 != "-w" }.joined(separator: " ") } + ["COMMIT", ""]).joined(separator: "\n")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-iptables-\(UUID().uuidString)").path
        try body.write(toFile: file, atomically: false, encoding: .utf8)
        defer { unlink(file) }
        let command = "ip netns exec \(namespace.name) iptables-restore -w --noflush <<< '\(body.replacingOccurrences(of: "\n", with: "\\n"))'"
        return (command, try thread.run { try ExternalCommand.run(restore, ["-w", "--noflush", file]) })
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
        try recorder.record("ip netns exec \(namespace.name) iptables \(rule.arguments(rule.addVerb).joined(separator: " "))")
    }

    public func delete(_ rule: IPTablesRule, in namespace: NetworkNamespace) throws {
        try recorder.record("ip netns exec \(namespace.name) iptables \(rule.arguments(.delete).joined(separator: " "))")
    }
}
