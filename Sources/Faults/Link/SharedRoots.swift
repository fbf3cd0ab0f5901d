import Foundation
import Synchronization

/// Counts the link faults using each root HTB qdisc (per namespace and device), so the first adds
/// it and the last removes it: several senders' faults toward one receiver share its veth's root.
///
/// One per run, carried by ``FaultEnvironment``: the roots live in the run's own router namespace,
/// so their count belongs to the run, not to the process (two worlds built in one process — tests
/// running in parallel — must not share counts even when their namespaces are named alike).
public final class SharedRoots: Sendable {
    private let users = Mutex<[String: Int]>([:])

    public init() {}

    /// Runs `add` when `key` had no user; counts the user when `add` succeeds.
    func acquire(_ key: String, add: () throws -> Void) throws {
        try users.withLock { users in
            if users[key, default: 0] == 0 { try add() }
            users[key, default: 0] += 1
        }
    }

    /// Drops one user of `key`; runs `remove` when it was the last (or the count is unknown: a heal
    /// without an apply still cleans up).
    func release(_ key: String, remove: () throws -> Void) throws {
        try users.withLock { users in
            let n = users[key, default: 0]
            users[key] = n > 1 ? n - 1 : nil
            if n <= 1 { try remove() }
        }
    }
}
