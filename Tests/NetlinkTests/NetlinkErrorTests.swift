import Netlink
import Testing

struct NetlinkErrorTests {
    @Test func messageNamesOperationObjectNamespaceAndCode() {
        let error = NetlinkError(
            operation: "adding FIB rule", object: "from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100",
            namespace: "fl-3a9c-router", code: -6)
        #expect(error.description == "adding FIB rule from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100 in namespace fl-3a9c-router: Object exists (libnl: NLE_EXIST)")
        #expect(error.isAlreadyExists)
    }

    @Test(arguments: [(Int32(-12), "NLE_OBJ_NOTFOUND"), (-28, "NLE_PERM"), (-1, "NLE_FAILURE"), (-99, "NLE 99")])
    func codesHaveTheirSymbolicNames(code: Int32, name: String) {
        #expect(NetlinkError.name(of: code) == name)
    }

    @Test func positiveCodesAreStoredNegative() {
        #expect(NetlinkError(operation: "x", object: "y", namespace: "z", code: 12).isNotFound)
    }

    @Test func checkPassesNonNegativeResultsThrough() throws {
        #expect(try NetlinkError.check(3, "op", "obj", in: "ns") == 3)
        #expect(throws: NetlinkError(operation: "op", object: "obj", namespace: "ns", code: -7)) {
            try NetlinkError.check(-7, "op", "obj", in: "ns")
        }
    }
}
