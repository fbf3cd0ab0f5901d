import Foundation
import NIOCore
import ScenarioFormat
import Synchronization

/// The state of the Consul KV stand-in: keys with Consul's indexes, and the blocking queries
/// waiting for them to change.
///
/// Like Consul, one index counts every write; a key's `ModifyIndex` is the index of its last write,
/// and a deleted key leaves a tombstone so a blocking query on it still wakes up.
public final class ConsulKVStore: Sendable {
    private let state = Mutex(State())

    private struct State {
        var records: [String: KVRecord] = [:]
        var tombstones: [String: UInt64] = [:]
        var lastIndex: UInt64 = 0
        var watchers: [Watcher] = []

        func index(of selection: Selection) -> UInt64 {
            var best: UInt64 = 0
            for (k, r) in records where selection.contains(k) { best = max(best, r.modifyIndex) }
            for (k, i) in tombstones where selection.contains(k) { best = max(best, i) }
            return max(best == 0 ? lastIndex : best, 1)
        }

        mutating func takeWatchers(_ affected: (Selection) -> Bool) -> [Watcher] {
            let woken = watchers.filter { affected($0.selection) }
            watchers.removeAll { w in woken.contains { $0 === w } }
            return woken
        }
    }

    /// Seeds the store; each seeded key gets its own index, in order.
    public init(entries: [KVEntry] = []) {
        for e in entries { _ = put(e.key, value: Array(e.value.utf8)) }
        state.withLock { $0.lastIndex = max($0.lastIndex, 1) }
    }

    /// What a read looks at: one key, or every key under a prefix.
    public enum Selection: Sendable, Equatable {
        case key(String)
        case prefix(String)

        func contains(_ key: String) -> Bool {
            switch self {
            case .key(let k): key == k
            case .prefix(let p): key.hasPrefix(p)
            }
        }
    }

    // MARK: Reading

    /// The records selected, sorted by key.
    public func read(_ selection: Selection) -> [KVRecord] {
        state.withLock { state in
            switch selection {
            case .key(let k): state.records[k].map { [$0] } ?? []
            case .prefix(let p): state.records.values.filter { $0.key.hasPrefix(p) }.sorted { $0.key < $1.key }
            }
        }
    }

    /// The index a read of `selection` reports (`X-Consul-Index`): the latest write or delete that
    /// touched it, else the store's index; never 0, which clients read as "no index".
    public func index(of selection: Selection) -> UInt64 {
        state.withLock { $0.index(of: selection) }
    }

    // MARK: Writing

    /// Sets a key (`PUT /v1/kv/<key>`). With `cas`, only if the key's `ModifyIndex` equals it
    /// (0: only if the key does not exist). Returns whether the write happened.
    @discardableResult
    public func put(_ key: String, value: [UInt8], flags: UInt64 = 0, cas: UInt64? = nil) -> Bool {
        let (done, woken): (Bool, [Watcher]) = state.withLock { state in
            let existing = state.records[key]
            if let cas, cas != (existing?.modifyIndex ?? 0) { return (false, []) }
            state.lastIndex += 1
            state.records[key] = KVRecord(
                key: key, value: value.isEmpty ? nil : value, flags: flags,
                createIndex: existing?.createIndex ?? state.lastIndex, modifyIndex: state.lastIndex)
            state.tombstones[key] = nil
            return (true, state.takeWatchers { $0.contains(key) })
        }
        woken.forEach { $0.wake() }
        return done
    }

    /// Deletes a key, or every key under a prefix (`DELETE …?recurse`); with `cas`, only if the
    /// key's `ModifyIndex` equals it. Returns whether the delete happened (deleting nothing is true).
    @discardableResult
    public func delete(_ selection: Selection, cas: UInt64? = nil) -> Bool {
        let (done, woken): (Bool, [Watcher]) = state.withLock { state in
            if let cas, case .key(let k) = selection, state.records[k]?.modifyIndex != cas { return (false, []) }
            let doomed = state.records.keys.filter { selection.contains($0) }
            guard !doomed.isEmpty else { return (true, []) }
            state.lastIndex += 1
            for k in doomed {
                state.records[k] = nil
                state.tombstones[k] = state.lastIndex
            }
            return (true, state.takeWatchers { w in doomed.contains { w.contains($0) } })
        }
        woken.forEach { $0.wake() }
        return done
    }

    // MARK: Blocking queries

    /// Completes once the index of `selection` passes `index`, or after `wait`, whichever comes
    /// first (Consul's `?index=N&wait=5s`). At once when it already has.
    public func waitForChange(
        of selection: Selection, after index: UInt64, wait: TimeAmount, on eventLoop: any EventLoop
    ) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let watcher = Watcher(selection: selection, promise: promise)
        let registered: Bool = state.withLock { state in
            guard state.index(of: selection) <= index else { return false }
            state.watchers.append(watcher)
            return true
        }
        guard registered else {
            promise.succeed(())
            return promise.futureResult
        }
        let timeout = eventLoop.scheduleTask(in: wait) { [weak self] in
            self?.state.withLock { $0.watchers.removeAll { $0 === watcher } }
            watcher.wake()
        }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        return promise.futureResult
    }

    /// Blocking queries now waiting (for tests).
    public var waitingCount: Int { state.withLock { $0.watchers.count } }
}

/// One waiting blocking query; woken once, by a change or by its timeout.
private final class Watcher: Sendable {
    let selection: ConsulKVStore.Selection
    private let promise: EventLoopPromise<Void>
    private let done = Mutex(false)

    init(selection: ConsulKVStore.Selection, promise: EventLoopPromise<Void>) {
        self.selection = selection
        self.promise = promise
    }

    func contains(_ key: String) -> Bool { selection.contains(key) }

    func wake() {
        let first = done.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { promise.succeed(()) }
    }
}
