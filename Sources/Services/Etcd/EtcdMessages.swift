/// The messages of etcd's v3 API that the stand-in serves, with the field numbers of etcd 3.4's
/// `etcdserverpb/rpc.proto` and `mvccpb/kv.proto` (what `etcdctl` 3.4 and clientv3 send and read).
///
/// Written out rather than generated: the stand-in needs two dozen small messages, and keeping the
/// wire in view makes the fields a client depends on easy to check against the `.proto` files.
enum Etcd {}

extension Etcd {
    struct ResponseHeader: ProtobufEncodable, Equatable {
        var clusterID: UInt64
        var memberID: UInt64
        var revision: Int64
        var raftTerm: UInt64

        func encode(to w: inout ProtobufWriter) {
            w.uint64(1, clusterID)
            w.uint64(2, memberID)
            w.int64(3, revision)
            w.uint64(4, raftTerm)
        }
    }

    /// `mvccpb.KeyValue`.
    struct KeyValue: ProtobufEncodable, ProtobufDecodable, Equatable, Sendable {
        var key: [UInt8] = []
        var createRevision: Int64 = 0
        var modRevision: Int64 = 0
        var version: Int64 = 0
        var value: [UInt8] = []
        var lease: Int64 = 0

        init(key: [UInt8], createRevision: Int64, modRevision: Int64, version: Int64, value: [UInt8], lease: Int64) {
            self.key = key
            self.createRevision = createRevision
            self.modRevision = modRevision
            self.version = version
            self.value = value
            self.lease = lease
        }

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            while let f = try r.next() {
                switch f.number {
                case 1: key = f.bytes
                case 2: createRevision = f.int64
                case 3: modRevision = f.int64
                case 4: version = f.int64
                case 5: value = f.bytes
                case 6: lease = f.int64
                default: break
                }
            }
        }

        func encode(to w: inout ProtobufWriter) {
            w.bytes(1, key)
            w.int64(2, createRevision)
            w.int64(3, modRevision)
            w.int64(4, version)
            w.bytes(5, value)
            w.int64(6, lease)
        }
    }

    /// `mvccpb.Event`.
    struct Event: ProtobufEncodable, Equatable, Sendable {
        enum Kind: Int64, Sendable { case put = 0, delete = 1 }
        var kind: Kind
        var kv: KeyValue
        var prevKV: KeyValue?

        func encode(to w: inout ProtobufWriter) {
            w.int64(1, kind.rawValue)
            w.message(2, kv)
            if let prevKV { w.message(3, prevKV) }
        }
    }

    // MARK: KV

    struct RangeRequest: ProtobufDecodable, Equatable {
        enum SortOrder: Int64 { case none = 0, ascend = 1, descend = 2 }
        enum SortTarget: Int64 { case key = 0, version = 1, create = 2, mod = 3, value = 4 }
        var key: [UInt8] = []
        var rangeEnd: [UInt8] = []
        var limit: Int64 = 0
        var revision: Int64 = 0
        var sortOrder = SortOrder.none
        var sortTarget = SortTarget.key
        var serializable = false
        var keysOnly = false
        var countOnly = false
        var minModRevision: Int64 = 0
        var maxModRevision: Int64 = 0
        var minCreateRevision: Int64 = 0
        var maxCreateRevision: Int64 = 0

        init() {}

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            while let f = try r.next() {
                switch f.number {
                case 1: key = f.bytes
                case 2: rangeEnd = f.bytes
                case 3: limit = f.int64
                case 4: revision = f.int64
                case 5: sortOrder = SortOrder(rawValue: f.int64) ?? .none
                case 6: sortTarget = SortTarget(rawValue: f.int64) ?? .key
                case 7: serializable = f.bool
                case 8: keysOnly = f.bool
                case 9: countOnly = f.bool
                case 10: minModRevision = f.int64
                case 11: maxModRevision = f.int64
                case 12: minCreateRevision = f.int64
                case 13: maxCreateRevision = f.int64
                default: break
                }
            }
        }
    }

    struct RangeResponse: ProtobufEncodable {
        var header: ResponseHeader
        var kvs: [KeyValue]
        var more: Bool
        var count: Int64

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            w.messages(2, kvs)
            w.bool(3, more)
            w.int64(4, count)
        }
    }

    struct PutRequest: ProtobufDecodable, Equatable {
        var key: [UInt8] = []
        var value: [UInt8] = []
        var lease: Int64 = 0
        var prevKV = false
        var ignoreValue = false
        var ignoreLease = false

        init() {}

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            while let f = try r.next() {
                switch f.number {
                case 1: key = f.bytes
                case 2: value = f.bytes
                case 3: lease = f.int64
                case 4: prevKV = f.bool
                case 5: ignoreValue = f.bool
                case 6: ignoreLease = f.bool
                default: break
                }
            }
        }
    }

    struct PutResponse: ProtobufEncodable {
        var header: ResponseHeader
        var prevKV: KeyValue?

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            if let prevKV { w.message(2, prevKV) }
        }
    }

    struct DeleteRangeRequest: ProtobufDecodable, Equatable {
        var key: [UInt8] = []
        var rangeEnd: [UInt8] = []
        var prevKV = false

        init() {}

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            while let f = try r.next() {
                switch f.number {
                case 1: key = f.bytes
                case 2: rangeEnd = f.bytes
                case 3: prevKV = f.bool
                default: break
                }
            }
        }
    }

    struct DeleteRangeResponse: ProtobufEncodable {
        var header: ResponseHeader
        var deleted: Int64
        var prevKVs: [KeyValue]

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            w.int64(2, deleted)
            w.messages(3, prevKVs)
        }
    }

    // MARK: Txn

    struct Compare: ProtobufDecodable, Equatable {
        enum Result: Int64 { case equal = 0, greater = 1, less = 2, notEqual = 3 }
        enum Target: Int64 { case version = 0, create = 1, mod = 2, value = 3, lease = 4 }
        var result = Result.equal
        var target = Target.version
        var key: [UInt8] = []
        var rangeEnd: [UInt8] = []
        /// `version`, `create_revision`, `mod_revision` or `lease`, whichever the target names.
        var number: Int64 = 0
        var value: [UInt8] = []

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            while let f = try r.next() {
                switch f.number {
                case 1: result = Result(rawValue: f.int64) ?? .equal
                case 2: target = Target(rawValue: f.int64) ?? .version
                case 3: key = f.bytes
                case 4, 5, 6, 8: number = f.int64
                case 7: value = f.bytes
                case 64: rangeEnd = f.bytes
                default: break
                }
            }
        }
    }

    indirect enum RequestOp: ProtobufDecodable, Equatable {
        case range(RangeRequest)
        case put(PutRequest)
        case deleteRange(DeleteRangeRequest)
        case txn(TxnRequest)

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            try self.init(protobuf: protobuf, depth: 1)
        }

        init(protobuf: some Collection<UInt8>, depth: Int) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            var op: RequestOp?
            while let f = try r.next() {
                switch f.number {
                case 1: op = .range(try f.message(RangeRequest.self))
                case 2: op = .put(try f.message(PutRequest.self))
                case 3: op = .deleteRange(try f.message(DeleteRangeRequest.self))
                case 4:
                    guard case .bytes(let b) = f.value else {
                        throw ProtobufError(reading: "TxnRequest (field 4)", problem: "not length-delimited")
                    }
                    op = .txn(try TxnRequest(protobuf: b, depth: depth + 1))
                default: break
                }
            }
            guard let op else { throw ProtobufError(reading: "RequestOp", problem: "no request in it") }
            self = op
        }
    }

    indirect enum ResponseOp: ProtobufEncodable {
        case range(RangeResponse)
        case put(PutResponse)
        case deleteRange(DeleteRangeResponse)
        case txn(TxnResponse)

        func encode(to w: inout ProtobufWriter) {
            switch self {
            case .range(let r): w.message(1, r)
            case .put(let r): w.message(2, r)
            case .deleteRange(let r): w.message(3, r)
            case .txn(let r): w.message(4, r)
            }
        }
    }

    struct TxnRequest: ProtobufDecodable, Equatable {
        /// Transactions nested deeper are refused, so a hostile request cannot exhaust the stack
        /// (protobuf implementations stop at 100 levels; etcd's clients nest one or two).
        static let maxDepth = 32

        var compare: [Compare] = []
        var success: [RequestOp] = []
        var failure: [RequestOp] = []

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            try self.init(protobuf: protobuf, depth: 1)
        }

        init(protobuf: some Collection<UInt8>, depth: Int) throws(ProtobufError) {
            guard depth <= Self.maxDepth else {
                throw ProtobufError(reading: "TxnRequest", problem: "transactions nested more than \(Self.maxDepth) deep")
            }
            var r = ProtobufReader(protobuf)
            while let f = try r.next() {
                switch f.number {
                case 1: compare.append(try f.message(Compare.self))
                case 2, 3:
                    guard case .bytes(let b) = f.value else {
                        throw ProtobufError(reading: "RequestOp (field \(f.number))", problem: "not length-delimited")
                    }
                    let op = try RequestOp(protobuf: b, depth: depth)
                    if f.number == 2 { success.append(op) } else { failure.append(op) }
                default: break
                }
            }
        }
    }

    struct TxnResponse: ProtobufEncodable {
        var header: ResponseHeader
        var succeeded: Bool
        var responses: [ResponseOp]

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            w.bool(2, succeeded)
            w.messages(3, responses)
        }
    }

    struct CompactionRequest: ProtobufDecodable {
        var revision: Int64 = 0

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            while let f = try r.next() {
                if f.number == 1 { revision = f.int64 }
            }
        }
    }

    /// A response that is only a header (`CompactionResponse`, `LeaseRevokeResponse`).
    struct HeaderOnlyResponse: ProtobufEncodable {
        var header: ResponseHeader
        func encode(to w: inout ProtobufWriter) { w.message(1, header) }
    }

    // MARK: Watch

    enum WatchRequest: ProtobufDecodable, Equatable {
        case create(WatchCreateRequest)
        case cancel(watchID: Int64)
        case progress

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            var request: WatchRequest?
            while let f = try r.next() {
                switch f.number {
                case 1: request = .create(try f.message(WatchCreateRequest.self))
                case 2:
                    var c = ProtobufReader(f.bytes)
                    var id: Int64 = 0
                    while let g = try c.next() {
                        if g.number == 1 { id = g.int64 }
                    }
                    request = .cancel(watchID: id)
                case 3: request = .progress
                default: break
                }
            }
            guard let request else { throw ProtobufError(reading: "WatchRequest", problem: "no request in it") }
            self = request
        }
    }

    struct WatchCreateRequest: ProtobufDecodable, Equatable {
        var key: [UInt8] = []
        var rangeEnd: [UInt8] = []
        var startRevision: Int64 = 0
        var progressNotify = false
        var noPut = false
        var noDelete = false
        var prevKV = false
        var watchID: Int64 = 0

        init() {}

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            while let f = try r.next() {
                switch f.number {
                case 1: key = f.bytes
                case 2: rangeEnd = f.bytes
                case 3: startRevision = f.int64
                case 4: progressNotify = f.bool
                case 5:
                    for filter in try f.packedVarints {
                        if filter == 0 { noPut = true } else if filter == 1 { noDelete = true }
                    }
                case 6: prevKV = f.bool
                case 7: watchID = f.int64
                default: break
                }
            }
        }
    }

    struct WatchResponse: ProtobufEncodable {
        var header: ResponseHeader
        var watchID: Int64
        var created = false
        var canceled = false
        var compactRevision: Int64 = 0
        var cancelReason = ""
        var events: [Event] = []

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            w.int64(2, watchID)
            w.bool(3, created)
            w.bool(4, canceled)
            w.int64(5, compactRevision)
            w.string(6, cancelReason)
            w.messages(11, events)
        }
    }

    // MARK: Lease

    /// `LeaseGrantRequest` (TTL, ID), `LeaseKeepAliveRequest` and `LeaseRevokeRequest` (ID),
    /// `LeaseTimeToLiveRequest` (ID, keys): small enough to read as one shape.
    struct LeaseRequest: ProtobufDecodable, Equatable {
        /// Field 1: TTL in a grant, the ID everywhere else.
        var first: Int64 = 0
        /// Field 2: the ID asked for in a grant, `keys` in a time-to-live.
        var second: Int64 = 0

        init(protobuf: some Collection<UInt8>) throws(ProtobufError) {
            var r = ProtobufReader(protobuf)
            while let f = try r.next() {
                switch f.number {
                case 1: first = f.int64
                case 2: second = f.int64
                default: break
                }
            }
        }
    }

    struct LeaseGrantResponse: ProtobufEncodable {
        var header: ResponseHeader
        var id: Int64
        var ttl: Int64
        var error = ""

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            w.int64(2, id)
            w.int64(3, ttl)
            w.string(4, error)
        }
    }

    /// `LeaseKeepAliveResponse`.
    struct LeaseKeepAliveResponse: ProtobufEncodable {
        var header: ResponseHeader
        var id: Int64
        var ttl: Int64

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            w.int64(2, id)
            w.int64(3, ttl)
        }
    }

    struct LeaseTimeToLiveResponse: ProtobufEncodable {
        var header: ResponseHeader
        var id: Int64
        var ttl: Int64
        var grantedTTL: Int64
        var keys: [[UInt8]]

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            w.int64(2, id)
            w.int64(3, ttl)
            w.int64(4, grantedTTL)
            for k in keys { w.lengthDelimited(5, k) }
        }
    }

    struct LeaseLeasesResponse: ProtobufEncodable {
        struct Status: ProtobufEncodable {
            var id: Int64
            func encode(to w: inout ProtobufWriter) { w.int64(1, id) }
        }
        var header: ResponseHeader
        var leases: [Status]

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            w.messages(2, leases)
        }
    }

    // MARK: Cluster and Maintenance

    struct Member: ProtobufEncodable {
        var id: UInt64
        var name: String
        var peerURLs: [String]
        var clientURLs: [String]

        func encode(to w: inout ProtobufWriter) {
            w.uint64(1, id)
            w.string(2, name)
            for u in peerURLs { w.lengthDelimited(3, Array(u.utf8)) }
            for u in clientURLs { w.lengthDelimited(4, Array(u.utf8)) }
        }
    }

    struct MemberListResponse: ProtobufEncodable {
        var header: ResponseHeader
        var members: [Member]

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            w.messages(2, members)
        }
    }

    struct StatusResponse: ProtobufEncodable {
        var header: ResponseHeader
        var version: String
        var dbSize: Int64
        var leader: UInt64
        var raftIndex: UInt64
        var raftTerm: UInt64

        func encode(to w: inout ProtobufWriter) {
            w.message(1, header)
            w.string(2, version)
            w.int64(3, dbSize)
            w.uint64(4, leader)
            w.uint64(5, raftIndex)
            w.uint64(6, raftTerm)
            w.uint64(7, raftIndex)
            w.int64(9, dbSize)
        }
    }

    // MARK: grpc.health.v1

    /// `grpc.health.v1.HealthCheckResponse`: SERVING is 1.
    struct HealthCheckResponse: ProtobufEncodable {
        var serving: Bool
        func encode(to w: inout ProtobufWriter) { w.int64(1, serving ? 1 : 2) }
    }
}
