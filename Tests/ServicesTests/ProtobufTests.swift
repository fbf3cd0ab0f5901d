import Testing
@testable import Services

/// The protobuf reader and writer against the proto3 wire format (the encoding guide's own
/// examples), and against malformed input.
struct ProtobufTests {
    struct Pair: ProtobufEncodable {
        var number: Int64
        var text: String
        func encode(to w: inout ProtobufWriter) {
            w.int64(1, number)
            w.string(2, text)
        }
    }

    @Test func writesTheEncodingGuidesExamples() {
        // "message Test1 { int32 a = 1; }" with a = 150 is 08 96 01; a string field 2 "testing" is 12 07 …
        #expect(Pair(number: 150, text: "").protobuf == [0x08, 0x96, 0x01])
        #expect(Pair(number: 0, text: "testing").protobuf == [0x12, 0x07] + Array("testing".utf8))
        // A negative int64 is ten bytes of two's complement.
        #expect(Pair(number: -1, text: "").protobuf == [0x08] + Array(repeating: 0xFF, count: 9) + [0x01])
    }

    @Test func readsBackWhatItWroteAndSkipsUnknownFields() throws {
        var w = ProtobufWriter()
        w.int64(1, -42)
        w.uint64(7, 1 << 40)  // unknown to the reader below, varint
        w.bytes(9, [1, 2, 3])  // unknown, length-delimited
        w.string(2, "etcd")
        var r = ProtobufReader(w.bytes)
        var seen: [Int] = []
        var number: Int64 = 0
        var text = ""
        while let f = try r.next() {
            seen.append(f.number)
            if f.number == 1 { number = f.int64 }
            if f.number == 2 { text = f.string }
        }
        #expect(seen == [1, 7, 9, 2])
        #expect(number == -42 && text == "etcd")
    }

    @Test func readsPackedAndUnpackedRepeatedVarints() throws {
        // WatchCreateRequest.filters = [NOPUT, NODELETE], packed (gogoproto) and not.
        let packed = try Etcd.WatchCreateRequest(protobuf: [0x2A, 0x02, 0x00, 0x01])
        let unpacked = try Etcd.WatchCreateRequest(protobuf: [0x28, 0x00, 0x28, 0x01])
        #expect(packed.noPut && packed.noDelete)
        #expect(unpacked == packed)
    }

    @Test(arguments: [
        ([0x08] as [UInt8], "ends inside a varint"),
        ([0x12, 0x05, 0x61], "5 bytes announced, 1 left"),
        ([0x0B], "wire type 3"),
        ([0x00], "field number 0"),
        ([0x08] + Array(repeating: 0xFF, count: 11), "longer than ten bytes"),
    ])
    func malformedInputIsAnErrorNamingTheProblem(bytes: [UInt8], problem: String) {
        #expect {
            var r = ProtobufReader(bytes)
            while try r.next() != nil {}
        } throws: { error in
            (error as? ProtobufError)?.description.contains(problem) == true
        }
    }
}
