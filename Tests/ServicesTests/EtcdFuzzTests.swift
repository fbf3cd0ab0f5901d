import FaultlineCore
import Foundation
import Testing
@testable import Services

/// Seeded mutation fuzzing of what the etcd stand-in reads from its clients: every request message
/// of the API, mutated (bytes flipped, cut, repeated, spliced), decoded and, when it decodes,
/// served by a store. Never a crash, and a transaction nested past the limit is an error, not a
/// stack overflow. 200k inputs each run; `FAULTLINE_FUZZ=1` for a million.
struct EtcdFuzzTests {
    static let scale = ProcessInfo.processInfo.environment["FAULTLINE_FUZZ"] == "1" ? 5 : 1

    /// Valid requests of every kind, as etcdctl would send them.
    static func seeds() -> [(String, [UInt8])] {
        func field(_ n: Int, _ bytes: [UInt8]) -> [UInt8] {
            var w = ProtobufWriter()
            w.lengthDelimited(n, bytes)
            return w.bytes
        }
        var range = ProtobufWriter()
        range.bytes(1, Array("/a".utf8))
        range.bytes(2, Array("/b".utf8))
        range.int64(3, 10)
        range.int64(5, 2)
        range.int64(6, 3)
        var put = ProtobufWriter()
        put.bytes(1, Array("/k".utf8))
        put.bytes(2, Array("value".utf8))
        put.bool(4, true)
        var compare = ProtobufWriter()
        compare.int64(1, 1)
        compare.int64(2, 2)
        compare.bytes(3, Array("/k".utf8))
        compare.int64(6, 3)
        let txn = field(1, compare.bytes) + field(2, field(2, put.bytes)) + field(3, field(1, range.bytes))
        var create = ProtobufWriter()
        create.bytes(1, Array("/w".utf8))
        create.int64(3, 1)
        create.lengthDelimited(5, [0, 1])
        var lease = ProtobufWriter()
        lease.int64(1, 5)
        lease.int64(2, 42)
        return [("range", range.bytes), ("put", put.bytes), ("txn", txn), ("watch", field(1, create.bytes)),
                ("lease", lease.bytes), ("delete", put.bytes)]
    }

    static func mutate(_ input: [UInt8], rng: inout SeededRandom) -> [UInt8] {
        var b = input
        for _ in 0...(rng.next() % 4) {
            let at = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
            switch rng.next() % 6 {
            case 0 where !b.isEmpty: b[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1 where !b.isEmpty: b[at] ^= 1 << UInt8(rng.next() % 8)
            case 2: b = Array(b.prefix(at))
            case 3: b.insert(contentsOf: b[at...].prefix(Int(rng.next() % 8)), at: at)
            case 4: b.insert([0x08, 0x10, 0x12, 0x22, 0x7F, 0xFF, 0x80][Int(rng.next() % 7)], at: at)
            default: b += input.prefix(Int(rng.next() % UInt64(input.count + 1)))
            }
        }
        return b
    }

    @Test func requestsSurviveMutation() {
        var rng = SeededRandom(state: 0x5EED_0E7C)
        let seeds = Self.seeds()
        let store = EtcdStore(entries: [(Array("/k".utf8), Array("v".utf8))], now: { 0 })
        var decoded = 0
        for _ in 0..<(200_000 * Self.scale) {
            let (kind, seed) = seeds[Int(rng.next() % UInt64(seeds.count))]
            let bytes = Self.mutate(seed, rng: &rng)
            do {
                switch kind {
                case "range": _ = try? store.range(try Etcd.RangeRequest(protobuf: bytes))
                case "put": _ = try? store.put(try Etcd.PutRequest(protobuf: bytes))
                case "delete": _ = try? store.deleteRange(try Etcd.DeleteRangeRequest(protobuf: bytes))
                case "txn": _ = try? store.txn(try Etcd.TxnRequest(protobuf: bytes))
                case "watch": _ = try Etcd.WatchRequest(protobuf: bytes)
                default: _ = store.keepAlive(try Etcd.LeaseRequest(protobuf: bytes).first)
                }
                decoded += 1
            } catch {}
        }
        // Most mutations still decode (proto3 skips what it does not know): the store was exercised.
        #expect(decoded > 50_000 * Self.scale)
    }

    /// A transaction whose success branch holds a transaction, `levels` deep.
    static func nested(_ levels: Int) -> [UInt8] {
        var inner: [UInt8] = []
        for _ in 0..<levels {
            var op = ProtobufWriter()
            op.lengthDelimited(4, inner)
            var txn = ProtobufWriter()
            txn.lengthDelimited(2, op.bytes)
            inner = txn.bytes
        }
        return inner
    }

    @Test func aTransactionNestedPastTheLimitIsRefused() {
        #expect(throws: ProtobufError.self) { try Etcd.TxnRequest(protobuf: Self.nested(1000)) }
        #expect((try? Etcd.TxnRequest(protobuf: Self.nested(3))) != nil)
    }
}
