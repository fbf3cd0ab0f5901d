import Foundation

/// Counts the link faults using each root HTB qdisc (per namespace and device), so the first adds
/// it and the last removes it: several senders' faults toward one receiver share its veth's root.
enum SharedRoots {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var users: [String: Int] = [:]

    /// Runs `add` when `key` had no user; counts the user when `add` succeeds.
    static func acquire(_ key: String, add: () throws -> Void) throws {
        try lock.withLock {
            if users[key, default: 0] == 0 { try add() }
            users[key, default: 0] += 1
        }
    }

    /// Drops one user of `key`; runs `remove` when it was the last (or the count is unknown: a heal
    /// without an apply still cleans up).
    static func release(_ key: String, remove: () throws -> Void) throws {
        try lock.withLock {
            let n = users[key, default: 0]
            users[key] = n > 1 ? n - 1 : nil
            if n <= 1 { try remove() }
        }
    }
}
