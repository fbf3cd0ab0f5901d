import FaultlineCore
import Synchronization

/// The etcd stand-in's data: a multi-version key space with one revision counter, leases, and the
/// watchers that follow it, as a single etcd member keeps them.
///
/// Every write takes the next revision (all writes of one transaction or one range delete share
/// it), and the log of events keeps every revision, so reads at an old revision and watches from
/// one replay exactly. Answers and errors use etcd's own messages (`etcdserver: …`), which
/// clientv3 turns back into its typed errors.
final class EtcdStore: Sendable {
    /// One watcher: its range and filters, and where its events go.
    struct Watcher: Sendable {
        var range: KeyRange
        var noPut: Bool
        var noDelete: Bool
        var prevKV: Bool
        var deliver: @Sendable (_ revision: Int64, _ events: [Etcd.Event]) -> Void
    }

    struct Lease: Sendable {
        var ttl: Int64
        var deadline: UInt64
        var keys: Set<[UInt8]> = []
    }

    private struct State: Sendable {
        var revision: Int64 = 1
        var compacted: Int64 = 0
        var current: [[UInt8]: Etcd.KeyValue] = [:]
        /// Every write since the start, in order: revision, and the events it made.
        var log: [(revision: Int64, events: [Etcd.Event])] = []
        var leases: [Int64: Lease] = [:]
        var nextLeaseID: Int64 = 0x694d_0000_0000_0001
        var watchers: [Int: Watcher] = [:]
        var nextWatcher = 1
    }

    /// Cluster and member ids in every header (fixed: one member).
    static let clusterID: UInt64 = 0x1d8a_9b8d_5a3c_0001
    static let memberID: UInt64 = 0x8e9e_05c5_2164_694d
    /// etcd's smallest lease TTL with its default election timeout (1 s): 3/2 of it, rounded up.
    static let minimumTTL: Int64 = 2

    private let state = Mutex(State())
    private let now: @Sendable () -> UInt64

    /// - Parameter now: monotonic nanoseconds (lease deadlines).
    init(entries: [(key: [UInt8], value: [UInt8])] = [], now: @escaping @Sendable () -> UInt64) {
        self.now = now
        for e in entries {
            var put = Etcd.PutRequest()
            put.key = e.key
            put.value = e.value
            _ = try? self.put(put)
        }
    }

    func header(_ revision: Int64) -> Etcd.ResponseHeader {
        Etcd.ResponseHeader(clusterID: Self.clusterID, memberID: Self.memberID, revision: revision, raftTerm: 2)
    }

    var revision: Int64 { state.withLock { $0.revision } }

    // MARK: KV

    func range(_ request: Etcd.RangeRequest) throws(GRPCStatus) -> Etcd.RangeResponse {
        try state.withLock { s throws(GRPCStatus) in try Self.range(request, in: &s, header: header(s.revision)) }
    }

    private static func range(_ request: Etcd.RangeRequest, in s: inout State, header: Etcd.ResponseHeader)
        throws(GRPCStatus) -> Etcd.RangeResponse {
        guard !request.key.isEmpty else { throw GRPCStatus(.invalidArgument, "etcdserver: key is not provided") }
        if request.revision > s.revision {
            throw GRPCStatus(.outOfRange, "etcdserver: mvcc: required revision is a future revision")
        }
        if request.revision > 0, request.revision < s.compacted {
            throw GRPCStatus(.outOfRange, "etcdserver: mvcc: required revision has been compacted")
        }
        let space = request.revision > 0 && request.revision < s.revision ? keySpace(at: request.revision, in: s)
            : s.current
        let keyRange = KeyRange(key: request.key, end: request.rangeEnd)
        var kvs = space.values.filter { kv in
            keyRange.contains(kv.key)
                && (request.minModRevision == 0 || kv.modRevision >= request.minModRevision)
                && (request.maxModRevision == 0 || kv.modRevision <= request.maxModRevision)
                && (request.minCreateRevision == 0 || kv.createRevision >= request.minCreateRevision)
                && (request.maxCreateRevision == 0 || kv.createRevision <= request.maxCreateRevision)
        }
        kvs.sort { $0.key.lexicographicallyPrecedes($1.key) }
        if request.sortOrder != .none || request.sortTarget != .key {
            // etcd sorts ascending when only a target is given; equal targets keep key order.
            let descending = request.sortOrder == .descend
            func precedes(_ a: Etcd.KeyValue, _ b: Etcd.KeyValue) -> Bool {
                switch request.sortTarget {
                case .key: a.key.lexicographicallyPrecedes(b.key)
                case .version: a.version < b.version
                case .create: a.createRevision < b.createRevision
                case .mod: a.modRevision < b.modRevision
                case .value: a.value.lexicographicallyPrecedes(b.value)
                }
            }
            kvs.sort { a, b in
                if precedes(a, b) { return !descending }
                if precedes(b, a) { return descending }
                return a.key.lexicographicallyPrecedes(b.key)
            }
        }
        let count = Int64(kvs.count)
        var more = false
        if request.limit > 0, kvs.count > Int(request.limit) {
            kvs = Array(kvs.prefix(Int(request.limit)))
            more = true
        }
        if request.countOnly { kvs = [] }
        if request.keysOnly { kvs = kvs.map { var kv = $0; kv.value = []; return kv } }
        return Etcd.RangeResponse(header: header, kvs: kvs, more: more, count: count)
    }

    /// The keys as they were at `revision`, replayed from the log.
    private static func keySpace(at revision: Int64, in s: State) -> [[UInt8]: Etcd.KeyValue] {
        var space: [[UInt8]: Etcd.KeyValue] = [:]
        for entry in s.log where entry.revision <= revision {
            for e in entry.events {
                switch e.kind {
                case .put: space[e.kv.key] = e.kv
                case .delete: space[e.kv.key] = nil
                }
            }
        }
        return space
    }

    func put(_ request: Etcd.PutRequest) throws(GRPCStatus) -> Etcd.PutResponse {
        try state.withLock { s throws(GRPCStatus) in
            var w = Write(revision: s.revision + 1)
            let r = try Self.put(request, in: &s, write: &w)
            Self.commit(w, in: &s)
            return Etcd.PutResponse(header: header(s.revision), prevKV: r)
        }
    }

    /// The events of one revision, gathered while its operations run.
    private struct Write {
        var revision: Int64
        var events: [Etcd.Event] = []
    }

    private static func put(_ request: Etcd.PutRequest, in s: inout State, write w: inout Write)
        throws(GRPCStatus) -> Etcd.KeyValue? {
        guard !request.key.isEmpty else { throw GRPCStatus(.invalidArgument, "etcdserver: key is not provided") }
        let previous = s.current[request.key]
        if (request.ignoreValue || request.ignoreLease), previous == nil {
            throw GRPCStatus(.invalidArgument, "etcdserver: key not found")
        }
        let lease = request.ignoreLease ? previous?.lease ?? 0 : request.lease
        if lease != 0, s.leases[lease] == nil {
            throw GRPCStatus(.notFound, "etcdserver: requested lease not found")
        }
        let kv = Etcd.KeyValue(
            key: request.key, createRevision: previous?.createRevision ?? w.revision, modRevision: w.revision,
            version: (previous?.version ?? 0) + 1,
            value: request.ignoreValue ? previous?.value ?? [] : request.value, lease: lease)
        if let old = previous?.lease, old != 0, old != lease { s.leases[old]?.keys.remove(request.key) }
        if lease != 0 { s.leases[lease]?.keys.insert(request.key) }
        s.current[request.key] = kv
        w.events.append(Etcd.Event(kind: .put, kv: kv, prevKV: previous))
        return request.prevKV ? previous : nil
    }

    func deleteRange(_ request: Etcd.DeleteRangeRequest) throws(GRPCStatus) -> Etcd.DeleteRangeResponse {
        try state.withLock { s throws(GRPCStatus) in
            var w = Write(revision: s.revision + 1)
            let deleted = try Self.deleteRange(request, in: &s, write: &w)
            Self.commit(w, in: &s)
            return Etcd.DeleteRangeResponse(header: header(s.revision), deleted: Int64(deleted.count),
                                            prevKVs: request.prevKV ? deleted : [])
        }
    }

    private static func deleteRange(_ request: Etcd.DeleteRangeRequest, in s: inout State, write w: inout Write)
        throws(GRPCStatus) -> [Etcd.KeyValue] {
        guard !request.key.isEmpty else { throw GRPCStatus(.invalidArgument, "etcdserver: key is not provided") }
        let keyRange = KeyRange(key: request.key, end: request.rangeEnd)
        let gone = s.current.values.filter { keyRange.contains($0.key) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for kv in gone {
            s.current[kv.key] = nil
            if kv.lease != 0 { s.leases[kv.lease]?.keys.remove(kv.key) }
            let tombstone = Etcd.KeyValue(key: kv.key, createRevision: 0, modRevision: w.revision, version: 0,
                                          value: [], lease: 0)
            w.events.append(Etcd.Event(kind: .delete, kv: tombstone, prevKV: kv))
        }
        return gone
    }

    /// Takes the write's revision if it changed anything, and tells the watchers. They are told
    /// under the lock, so every watcher gets the revisions in order (its sink keeps the order it
    /// was called in) and a new watcher's replay meets the live events without a gap or a repeat.
    private static func commit(_ w: Write, in s: inout State) {
        guard !w.events.isEmpty else { return }
        s.revision = w.revision
        s.log.append((w.revision, w.events))
        for watcher in s.watchers.values { deliver(w.events, revision: w.revision, to: watcher) }
    }

    private static func deliver(_ events: [Etcd.Event], revision: Int64, to watcher: Watcher) {
        let mine = events.compactMap { e -> Etcd.Event? in
            guard watcher.range.contains(e.kv.key) else { return nil }
            if e.kind == .put, watcher.noPut { return nil }
            if e.kind == .delete, watcher.noDelete { return nil }
            var e = e
            if !watcher.prevKV { e.prevKV = nil }
            return e
        }
        if !mine.isEmpty { watcher.deliver(revision, mine) }
    }

    func txn(_ request: Etcd.TxnRequest) throws(GRPCStatus) -> Etcd.TxnResponse {
        try checkTxn(request)
        return try state.withLock { s throws(GRPCStatus) in
            var w = Write(revision: s.revision + 1)
            let (succeeded, responses) = try Self.txn(request, in: &s, write: &w, header: header)
            Self.commit(w, in: &s)
            return Etcd.TxnResponse(header: header(s.revision), succeeded: succeeded, responses: responses)
        }
    }

    /// etcd refuses a transaction that writes one key twice, or has more than 128 operations.
    private func checkTxn(_ request: Etcd.TxnRequest) throws(GRPCStatus) {
        for ops in [request.success, request.failure] {
            guard ops.count <= 128 else {
                throw GRPCStatus(.invalidArgument, "etcdserver: too many operations in txn request")
            }
            var written = Set<[UInt8]>()
            for case .put(let p) in ops where !written.insert(p.key).inserted {
                throw GRPCStatus(.invalidArgument, "etcdserver: duplicate key given in txn request")
            }
        }
    }

    private static func txn(_ request: Etcd.TxnRequest, in s: inout State, write w: inout Write,
                            header: (Int64) -> Etcd.ResponseHeader) throws(GRPCStatus) -> (Bool, [Etcd.ResponseOp]) {
        let succeeded = request.compare.allSatisfy { holds($0, in: s) }
        var responses: [Etcd.ResponseOp] = []
        for op in succeeded ? request.success : request.failure {
            switch op {
            case .range(let r):
                responses.append(.range(try range(r, in: &s, header: header(w.events.isEmpty ? s.revision : w.revision))))
            case .put(let p):
                let prev = try put(p, in: &s, write: &w)
                responses.append(.put(Etcd.PutResponse(header: header(w.revision), prevKV: prev)))
            case .deleteRange(let d):
                let gone = try deleteRange(d, in: &s, write: &w)
                responses.append(.deleteRange(Etcd.DeleteRangeResponse(
                    header: header(w.revision), deleted: Int64(gone.count), prevKVs: d.prevKV ? gone : [])))
            case .txn(let t):
                let (ok, inner) = try txn(t, in: &s, write: &w, header: header)
                responses.append(.txn(Etcd.TxnResponse(header: header(w.revision), succeeded: ok, responses: inner)))
            }
        }
        return (succeeded, responses)
    }

    /// Whether a compare holds: for every key of its range (a missing key compares as version,
    /// create and mod revision 0 and lease 0; a value compare on a missing key fails).
    private static func holds(_ c: Etcd.Compare, in s: State) -> Bool {
        let keyRange = KeyRange(key: c.key, end: c.rangeEnd)
        var kvs = s.current.values.filter { keyRange.contains($0.key) }
        if c.rangeEnd.isEmpty, kvs.isEmpty {
            if c.target == .value { return false }
            kvs = [Etcd.KeyValue(key: c.key, createRevision: 0, modRevision: 0, version: 0, value: [], lease: 0)]
        }
        return kvs.allSatisfy { kv in
            let order: Int
            switch c.target {
            case .version: order = compare(kv.version, c.number)
            case .create: order = compare(kv.createRevision, c.number)
            case .mod: order = compare(kv.modRevision, c.number)
            case .lease: order = compare(kv.lease, c.number)
            case .value:
                order = kv.value == c.value ? 0 : kv.value.lexicographicallyPrecedes(c.value) ? -1 : 1
            }
            return switch c.result {
            case .equal: order == 0
            case .notEqual: order != 0
            case .greater: order > 0
            case .less: order < 0
            }
        }
    }

    private static func compare(_ a: Int64, _ b: Int64) -> Int { a == b ? 0 : a < b ? -1 : 1 }

    func compact(_ revision: Int64) throws(GRPCStatus) -> Etcd.HeaderOnlyResponse {
        try state.withLock { s throws(GRPCStatus) in
            if revision > s.revision {
                throw GRPCStatus(.outOfRange, "etcdserver: mvcc: required revision is a future revision")
            }
            if revision <= s.compacted {
                throw GRPCStatus(.outOfRange, "etcdserver: mvcc: required revision has been compacted")
            }
            s.compacted = revision
            return Etcd.HeaderOnlyResponse(header: header(s.revision))
        }
    }

    // MARK: Watch

    /// Starts a watcher: `created` is told the revision it starts at, then `startRevision` > 0
    /// replays the events from that revision, then live events follow, all in order. No watcher
    /// starts (nil, and the compacted revision) when `startRevision` is before the compaction.
    func watch(_ request: Etcd.WatchCreateRequest, deliver: @escaping @Sendable (Int64, [Etcd.Event]) -> Void,
               created: (Int64) -> Void) -> (id: Int?, revision: Int64, compacted: Int64?) {
        state.withLock { s in
            if request.startRevision > 0, request.startRevision < s.compacted {
                return (nil, s.revision, s.compacted)
            }
            let watcher = Watcher(range: KeyRange(key: request.key, end: request.rangeEnd),
                                  noPut: request.noPut, noDelete: request.noDelete, prevKV: request.prevKV,
                                  deliver: deliver)
            let id = s.nextWatcher
            s.nextWatcher += 1
            s.watchers[id] = watcher
            let revision = s.revision
            created(revision)
            if request.startRevision > 0 {
                for entry in s.log where entry.revision >= request.startRevision {
                    Self.deliver(entry.events, revision: entry.revision, to: watcher)
                }
            }
            return (id, revision, nil)
        }
    }

    func cancelWatch(_ id: Int) {
        _ = state.withLock { $0.watchers.removeValue(forKey: id) }
    }

    // MARK: Lease

    func grant(ttl: Int64, id: Int64) throws(GRPCStatus) -> Etcd.LeaseGrantResponse {
        let now = now()
        return try state.withLock { s throws(GRPCStatus) in
            guard ttl <= 9_000_000_000 else { throw GRPCStatus(.outOfRange, "etcdserver: too large lease TTL") }
            var leaseID = id
            if leaseID == 0 {
                repeat {
                    leaseID = s.nextLeaseID
                    s.nextLeaseID += 1
                } while s.leases[leaseID] != nil
            } else if s.leases[leaseID] != nil {
                throw GRPCStatus(.failedPrecondition, "etcdserver: lease already exists")
            }
            let granted = max(ttl, Self.minimumTTL)
            s.leases[leaseID] = Lease(ttl: granted, deadline: now + UInt64(granted) * 1_000_000_000)
            return Etcd.LeaseGrantResponse(header: header(s.revision), id: leaseID, ttl: granted)
        }
    }

    /// Renews a lease: its TTL, or 0 when there is no such lease (etcd answers so, not an error).
    func keepAlive(_ id: Int64) -> Etcd.LeaseKeepAliveResponse {
        let now = now()
        return state.withLock { s in
            guard var lease = s.leases[id] else {
                return Etcd.LeaseKeepAliveResponse(header: header(s.revision), id: id, ttl: 0)
            }
            lease.deadline = now + UInt64(lease.ttl) * 1_000_000_000
            s.leases[id] = lease
            return Etcd.LeaseKeepAliveResponse(header: header(s.revision), id: id, ttl: lease.ttl)
        }
    }

    func revoke(_ id: Int64) throws(GRPCStatus) -> Etcd.HeaderOnlyResponse {
        try state.withLock { s throws(GRPCStatus) in
            guard s.leases[id] != nil else { throw GRPCStatus(.notFound, "etcdserver: requested lease not found") }
            Self.revoke(id, in: &s)
            return Etcd.HeaderOnlyResponse(header: header(s.revision))
        }
    }

    private static func revoke(_ id: Int64, in s: inout State) {
        guard let lease = s.leases.removeValue(forKey: id) else { return }
        var w = Write(revision: s.revision + 1)
        for key in lease.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            var d = Etcd.DeleteRangeRequest()
            d.key = key
            _ = try? deleteRange(d, in: &s, write: &w)
        }
        commit(w, in: &s)
    }

    /// Revokes every lease past its deadline; the leases it ended.
    @discardableResult
    func expire() -> [Int64] {
        let now = now()
        return state.withLock { s in
            let due = s.leases.filter { $0.value.deadline <= now }.keys.sorted()
            for id in due { Self.revoke(id, in: &s) }
            return due
        }
    }

    func timeToLive(_ id: Int64, keys: Bool) -> Etcd.LeaseTimeToLiveResponse {
        let now = now()
        return state.withLock { s in
            guard let lease = s.leases[id] else {
                return Etcd.LeaseTimeToLiveResponse(header: header(s.revision), id: id, ttl: -1, grantedTTL: 0, keys: [])
            }
            let left = lease.deadline > now ? Int64((lease.deadline - now) / 1_000_000_000) : 0
            let held = keys ? lease.keys.sorted { $0.lexicographicallyPrecedes($1) } : []
            return Etcd.LeaseTimeToLiveResponse(header: header(s.revision), id: id, ttl: left, grantedTTL: lease.ttl,
                                                keys: held)
        }
    }

    func leases() -> Etcd.LeaseLeasesResponse {
        state.withLock { s in
            Etcd.LeaseLeasesResponse(header: header(s.revision),
                                     leases: s.leases.keys.sorted().map { Etcd.LeaseLeasesResponse.Status(id: $0) })
        }
    }
}

/// etcd's key ranges: `end` empty is the key alone, `end` = `\0` every key from `key` on (and
/// `key` = `end` = `\0` every key), otherwise `[key, end)`.
struct KeyRange: Sendable, Equatable {
    var key: [UInt8]
    var end: [UInt8]

    func contains(_ k: [UInt8]) -> Bool {
        if end.isEmpty { return k == key }
        let fromStart = key == [0] && end == [0]
        let atOrAfter = fromStart || !k.lexicographicallyPrecedes(key)
        if end == [0] { return atOrAfter }
        return atOrAfter && k.lexicographicallyPrecedes(end)
    }
}
