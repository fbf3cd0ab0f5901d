import FaultlineCore
import RunHistory
import ScenarioFormat

/// `service: etcd`: one etcd member's v3 API over gRPC: KV (Range, Put, DeleteRange, Txn,
/// Compact), Watch, Lease (Grant, Revoke, KeepAlive, TimeToLive, Leases), Cluster MemberList,
/// Maintenance Status and Alarm, and `grpc.health.v1.Health/Check`.
public final class EtcdResponder: GRPCResponder {
    let store: EtcdStore
    private let member: Etcd.Member

    /// - Parameters:
    ///   - name: the member's name (the host's), reported by MemberList.
    ///   - clientURL: where clients reach it, e.g. `http://etcd:2379`.
    public init(spec: EtcdSpec, name: String, clientURL: String,
                now: @escaping @Sendable () -> UInt64 = RunClock.monotonicNow) {
        store = EtcdStore(entries: spec.entries.map { (Array($0.key.utf8), Array($0.value.utf8)) }, now: now)
        member = Etcd.Member(id: EtcdStore.memberID, name: name, peerURLs: [], clientURLs: [clientURL])
    }

    /// The etcd version Status reports: the API clientv3 3.4 and etcdctl 3.4 speak.
    static let version = "3.4.23"

    public var housekeepingInterval: TimeSpan? { .milliseconds(100) }

    /// Ends the leases whose TTL ran out, deleting their keys.
    public func housekeeping() { store.expire() }

    public func method(for path: String) -> GRPCMethod? {
        switch path {
        case "/etcdserverpb.KV/Range": unary(Etcd.RangeRequest.self) { [store] in try store.range($0) }
        case "/etcdserverpb.KV/Put": unary(Etcd.PutRequest.self) { [store] in try store.put($0) }
        case "/etcdserverpb.KV/DeleteRange": unary(Etcd.DeleteRangeRequest.self) { [store] in try store.deleteRange($0) }
        case "/etcdserverpb.KV/Txn": unary(Etcd.TxnRequest.self) { [store] in try store.txn($0) }
        case "/etcdserverpb.KV/Compact": unary(Etcd.CompactionRequest.self) { [store] in try store.compact($0.revision) }
        case "/etcdserverpb.Lease/LeaseGrant":
            unary(Etcd.LeaseRequest.self) { [store] in try store.grant(ttl: $0.first, id: $0.second) }
        case "/etcdserverpb.Lease/LeaseRevoke": unary(Etcd.LeaseRequest.self) { [store] in try store.revoke($0.first) }
        case "/etcdserverpb.Lease/LeaseTimeToLive":
            unary(Etcd.LeaseRequest.self) { [store] in store.timeToLive($0.first, keys: $0.second != 0) }
        case "/etcdserverpb.Lease/LeaseLeases": unary(Etcd.Empty.self) { [store] _ in store.leases() }
        case "/etcdserverpb.Lease/LeaseKeepAlive":
            .bidirectional { [store] sink in LeaseKeepAliveSession(store: store, sink: sink) }
        case "/etcdserverpb.Watch/Watch":
            .bidirectional { [store] sink in WatchSession(store: store, sink: sink) }
        case "/etcdserverpb.Cluster/MemberList":
            unary(Etcd.Empty.self) { [store, member] _ in
                Etcd.MemberListResponse(header: store.header(store.revision), members: [member])
            }
        case "/etcdserverpb.Maintenance/Status":
            unary(Etcd.Empty.self) { [store] _ in
                let revision = store.revision
                return Etcd.StatusResponse(header: store.header(revision), version: Self.version, dbSize: 20480,
                                           leader: EtcdStore.memberID, raftIndex: UInt64(revision), raftTerm: 2)
            }
        case "/etcdserverpb.Maintenance/Alarm":
            // No alarm is ever raised (no space quota): the answer lists none.
            unary(Etcd.Empty.self) { [store] _ in Etcd.HeaderOnlyResponse(header: store.header(store.revision)) }
        case "/grpc.health.v1.Health/Check": unary(Etcd.Empty.self) { _ in Etcd.HealthCheckResponse(serving: true) }
        default: nil
        }
    }

    /// A unary method reading `Request` and answering what `body` returns (or the status it throws).
    private func unary<Request: ProtobufDecodable>(
        _: Request.Type, _ body: @escaping @Sendable (Request) throws -> some ProtobufEncodable
    ) -> GRPCMethod {
        .unary { bytes throws(GRPCStatus) in
            let request = try Etcd.decode(Request.self, bytes)
            do {
                return try body(request).protobuf
            } catch let status as GRPCStatus {
                throw status
            } catch {
                throw GRPCStatus(.unknown, "\(error)")
            }
        }
    }
}

extension Etcd {
    /// A request message, or INTERNAL as grpc-go answers one it cannot unmarshal.
    static func decode<M: ProtobufDecodable>(_: M.Type, _ bytes: [UInt8]) throws(GRPCStatus) -> M {
        do {
            return try M(protobuf: bytes)
        } catch {
            throw GRPCStatus(.internal, "grpc: error unmarshalling request: \(error)")
        }
    }

    /// A request with no fields the stand-in reads (`StatusRequest`, `MemberListRequest`, …).
    struct Empty: ProtobufDecodable {
        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            while try r.next() != nil {}
        }
    }
}

/// One `Watch` stream: the watchers its client creates and cancels, with ids counted per stream
/// from 0 as etcd counts them, and their events as they happen.
final class WatchSession: GRPCStreamSession {
    private let store: EtcdStore
    private let sink: GRPCCallSink
    /// The stream's watch id → the store's watcher.
    private var watchers: [Int64: Int] = [:]
    private var nextID: Int64 = 0

    init(store: EtcdStore, sink: GRPCCallSink) {
        self.store = store
        self.sink = sink
    }

    func received(_ message: [UInt8]) throws(GRPCStatus) {
        let request = try Etcd.decode(Etcd.WatchRequest.self, message)
        switch request {
        case .create(let create):
            var id = create.watchID != 0 ? create.watchID : nextID
            while watchers[id] != nil { id += 1 }
            nextID = max(nextID, id + 1)
            let watchID = id
            // The creation answer goes first; events the store replays or delivers follow it in order,
            // since every send keeps its order on the call's loop.
            let sink = sink
            let store = store
            let (watcher, revision, compacted) = store.watch(create) { revision, events in
                sink.send(Etcd.WatchResponse(header: store.header(revision), watchID: watchID, events: events).protobuf)
            } created: { revision in
                sink.send(Etcd.WatchResponse(header: store.header(revision), watchID: watchID, created: true).protobuf)
            }
            if let watcher {
                watchers[id] = watcher
            } else {
                sink.send(Etcd.WatchResponse(header: store.header(revision), watchID: id, created: true).protobuf)
                sink.send(Etcd.WatchResponse(header: store.header(revision), watchID: id, canceled: true,
                                             compactRevision: compacted ?? 0,
                                             cancelReason: "mvcc: required revision has been compacted").protobuf)
            }
        case .cancel(let id):
            guard let watcher = watchers.removeValue(forKey: id) else { return }
            store.cancelWatch(watcher)
            sink.send(Etcd.WatchResponse(header: store.header(store.revision), watchID: id, canceled: true,
                                         cancelReason: "watch closed").protobuf)
        case .progress:
            // Not tied to one watcher: etcd 3.4 answers with watch id -1.
            sink.send(Etcd.WatchResponse(header: store.header(store.revision), watchID: -1).protobuf)
        }
    }

    func clientFinished() { sink.finish(.ok) }

    func ended() {
        for watcher in watchers.values { store.cancelWatch(watcher) }
        watchers = [:]
    }
}

/// One `LeaseKeepAlive` stream: each request renews its lease and is answered with the TTL (0 for
/// a lease that is gone, as etcd answers).
final class LeaseKeepAliveSession: GRPCStreamSession {
    private let store: EtcdStore
    private let sink: GRPCCallSink

    init(store: EtcdStore, sink: GRPCCallSink) {
        self.store = store
        self.sink = sink
    }

    func received(_ message: [UInt8]) throws(GRPCStatus) {
        let request = try Etcd.decode(Etcd.LeaseRequest.self, message)
        sink.send(store.keepAlive(request.first).protobuf)
    }

    func clientFinished() { sink.finish(.ok) }
    func ended() {}
}
