import Synchronization
import Testing
@testable import Services

/// The etcd stand-in's store against etcd's documented semantics: revisions, ranges, history,
/// transactions, leases and watches.
struct EtcdStoreTests {
    /// A clock the test moves by hand (monotonic nanoseconds).
    final class FakeClock: Sendable {
        let now = Atomic<UInt64>(1_000_000_000)
        func advance(seconds: UInt64) { now.add(seconds * 1_000_000_000, ordering: .sequentiallyConsistent) }
        var read: @Sendable () -> UInt64 { { self.now.load(ordering: .sequentiallyConsistent) } }
    }

    func key(_ s: String) -> [UInt8] { Array(s.utf8) }

    func put(_ store: EtcdStore, _ k: String, _ v: String, lease: Int64 = 0, prev: Bool = false) throws -> Etcd.PutResponse {
        var p = Etcd.PutRequest()
        p.key = key(k)
        p.value = key(v)
        p.lease = lease
        p.prevKV = prev
        return try store.put(p)
    }

    func get(_ store: EtcdStore, _ k: String, end: String? = nil, revision: Int64 = 0, limit: Int64 = 0)
        throws -> Etcd.RangeResponse {
        var r = Etcd.RangeRequest()
        r.key = key(k)
        r.rangeEnd = end.map(key) ?? []
        r.revision = revision
        r.limit = limit
        return try store.range(r)
    }

    @Test func everyWriteTakesTheNextRevisionAndKeysCountTheirVersions() throws {
        let store = EtcdStore(entries: [(key("/seed"), key("s"))], now: FakeClock().read)
        #expect(store.revision == 2)  // 1 at the start; the seeded put is revision 2
        _ = try put(store, "/a", "1")
        let second = try put(store, "/a", "2", prev: true)
        #expect(second.header.revision == 4)
        #expect(second.prevKV?.value == key("1"))
        let kv = try #require(try get(store, "/a").kvs.first)
        #expect((kv.createRevision, kv.modRevision, kv.version) == (3, 4, 2))
    }

    @Test func rangesFollowEtcdsRangeEndRules() throws {
        let store = EtcdStore(now: FakeClock().read)
        for k in ["/a", "/a/1", "/a/2", "/b", "c"] { _ = try put(store, k, "v") }
        #expect(try get(store, "/a").kvs.map(\.key) == [key("/a")])
        // A prefix is [key, key with its last byte + 1).
        #expect(try get(store, "/a/", end: "/a0").kvs.map(\.key) == [key("/a/1"), key("/a/2")])
        // "\0" as the end: every key from `key` on; "\0" to "\0": every key.
        #expect(try get(store, "/b", end: "\0").kvs.map(\.key) == [key("/b"), key("c")])
        #expect(try get(store, "\0", end: "\0").count == 5)
        let limited = try get(store, "\0", end: "\0", limit: 2)
        #expect(limited.kvs.count == 2 && limited.more && limited.count == 5)
    }

    @Test func sortingByATargetOrdersEitherWayAndKeepsKeyOrderAmongEquals() throws {
        let store = EtcdStore(now: FakeClock().read)
        for (k, writes) in [("/a", 1), ("/b", 3), ("/c", 1), ("/d", 2)] {
            for _ in 0..<writes { _ = try put(store, k, "v") }
        }
        var r = Etcd.RangeRequest()
        r.key = key("/")
        r.rangeEnd = key("0")
        r.sortTarget = .version
        r.sortOrder = .descend
        #expect(try store.range(r).kvs.map(\.key) == [key("/b"), key("/d"), key("/a"), key("/c")])
        r.sortOrder = .none  // a target alone sorts ascending, as etcd does
        #expect(try store.range(r).kvs.map(\.key) == [key("/a"), key("/c"), key("/d"), key("/b")])
        r.sortTarget = .key
        r.sortOrder = .descend
        #expect(try store.range(r).kvs.map(\.key) == [key("/d"), key("/c"), key("/b"), key("/a")])
    }

    @Test func oldRevisionsReadAsTheyWereAndTheFutureAndCompactedAreRefused() throws {
        let store = EtcdStore(now: FakeClock().read)
        _ = try put(store, "/k", "old")  // revision 2
        _ = try put(store, "/k", "new")  // revision 3
        var d = Etcd.DeleteRangeRequest()
        d.key = key("/k")
        #expect(try store.deleteRange(d).deleted == 1)  // revision 4
        #expect(try get(store, "/k", revision: 2).kvs.map(\.value) == [key("old")])
        #expect(try get(store, "/k", revision: 3).kvs.map(\.value) == [key("new")])
        #expect(try get(store, "/k").kvs.isEmpty)
        #expect(throws: GRPCStatus(.outOfRange, "etcdserver: mvcc: required revision is a future revision")) {
            try get(store, "/k", revision: 9)
        }
        _ = try store.compact(3)
        #expect(throws: GRPCStatus(.outOfRange, "etcdserver: mvcc: required revision has been compacted")) {
            try get(store, "/k", revision: 2)
        }
    }

    @Test func aTransactionChoosesItsBranchByItsComparesAndWritesAtOneRevision() throws {
        let store = EtcdStore(now: FakeClock().read)
        _ = try put(store, "/lock", "owner-a")  // revision 2
        // if version(/lock) == 0 then put /lock b, put /other x else get /lock
        var w = ProtobufWriter()
        var cmp = ProtobufWriter()
        cmp.int64(1, 0)  // EQUAL
        cmp.int64(2, 0)  // VERSION
        cmp.bytes(3, key("/lock"))
        cmp.int64(4, 0)
        w.lengthDelimited(1, cmp.bytes)
        for (k, v) in [("/lock", "owner-b"), ("/other", "x")] {
            var p = ProtobufWriter()
            p.bytes(1, key(k))
            p.bytes(2, key(v))
            var op = ProtobufWriter()
            op.lengthDelimited(2, p.bytes)
            w.lengthDelimited(2, op.bytes)
        }
        var r = ProtobufWriter()
        r.bytes(1, key("/lock"))
        var op = ProtobufWriter()
        op.lengthDelimited(1, r.bytes)
        w.lengthDelimited(3, op.bytes)
        let taken = try store.txn(Etcd.TxnRequest(protobuf: w.bytes))
        #expect(!taken.succeeded)
        #expect(store.revision == 2)  // the failure branch only read

        var d = Etcd.DeleteRangeRequest()
        d.key = key("/lock")
        _ = try store.deleteRange(d)  // revision 3
        let won = try store.txn(Etcd.TxnRequest(protobuf: w.bytes))
        #expect(won.succeeded)
        #expect(store.revision == 4)  // both puts at one revision
        #expect(try get(store, "/other").kvs.first?.modRevision == 4)
        #expect(try get(store, "/lock").kvs.first?.modRevision == 4)
    }

    @Test func leasesHoldTheirKeysUntilTheirTTLRunsOutUnlessKeptAlive() throws {
        let clock = FakeClock()
        let store = EtcdStore(now: clock.read)
        let lease = try store.grant(ttl: 5, id: 0)
        #expect(lease.ttl == 5)
        #expect(try store.grant(ttl: 1, id: 0).ttl == EtcdStore.minimumTTL)
        _ = try put(store, "/session", "me", lease: lease.id)
        clock.advance(seconds: 4)
        #expect(store.keepAlive(lease.id).ttl == 5)
        clock.advance(seconds: 4)
        #expect(!store.expire().contains(lease.id))  // renewed 4 s ago with a 5 s TTL
        #expect(try get(store, "/session").kvs.count == 1)
        clock.advance(seconds: 2)
        #expect(store.expire().contains(lease.id))
        #expect(try get(store, "/session").kvs.isEmpty)
        #expect(store.keepAlive(lease.id).ttl == 0)  // etcd answers a gone lease with TTL 0
        #expect(throws: GRPCStatus(.notFound, "etcdserver: requested lease not found")) {
            try put(store, "/x", "y", lease: lease.id)
        }
    }

    @Test func aWatcherReplaysFromItsRevisionThenGetsLiveEventsInOrder() throws {
        let store = EtcdStore(now: FakeClock().read)
        _ = try put(store, "/w/a", "1")  // revision 2
        _ = try put(store, "/x", "ignored")  // revision 3, outside the range
        _ = try put(store, "/w/a", "2")  // revision 4
        let seen = Mutex<[(Int64, String)]>([])
        var create = Etcd.WatchCreateRequest()
        create.key = key("/w/")
        create.rangeEnd = key("/w0")
        create.startRevision = 2
        create.prevKV = true
        var createdAt: Int64 = 0
        let (id, _, compacted) = store.watch(create, deliver: { revision, events in
            seen.withLock { $0 += events.map { (revision, String(decoding: $0.kv.value, as: UTF8.self)) } }
        }, created: { createdAt = $0 })
        #expect(id != nil && compacted == nil && createdAt == 4)
        _ = try put(store, "/w/b", "3")  // revision 5, live
        #expect(seen.withLock { $0.map(\.0) } == [2, 4, 5])
        #expect(seen.withLock { $0.map(\.1) } == ["1", "2", "3"])
        store.cancelWatch(try #require(id))
        _ = try put(store, "/w/c", "4")
        #expect(seen.withLock { $0.count } == 3)
    }
}
