import Netlink
import Testing

struct NetlinkErrorTests {
    @Test func messageNamesOperationObjectNamespaceAndCode() {
        let error = NetlinkRequest(.addRule, "from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100", in: "fl-3a9c-router")
            .failure(-6)
        #expect(error.description == "adding FIB rule from 198.18.0.2/32 to 198.18.0.3/32 blackhole priority 100 in namespace fl-3a9c-router: Object exists (libnl: NLE_EXIST)")
        #expect(error.isAlreadyExists)
    }

    @Test(arguments: [(Int32(-12), "NLE_OBJ_NOTFOUND"), (-28, "NLE_PERM"), (-1, "NLE_FAILURE"), (-99, "NLE 99")])
    func codesHaveTheirSymbolicNames(code: Int32, name: String) {
        #expect(NetlinkError.name(of: code) == name)
    }

    @Test func positiveCodesAreStoredNegative() {
        #expect(NetlinkRequest(.list, "y", in: "z").failure(12).isNotFound)
    }

    @Test func checkPassesNonNegativeResultsThrough() throws {
        let request = NetlinkRequest(.deleteQdisc, "obj", in: "ns")
        #expect(try request.check(3) == 3)
        #expect(throws: NetlinkError(request, code: -7)) { try request.check(-7) }
    }

    @Test func aRefusalNamesItsReasonAfterTheObject() {
        let error = NetlinkRequest(.addRoute, "route 198.18.0.9/32", in: "fl-x").failure(-7, "a unicast route needs a device")
        #expect(error.object == "route 198.18.0.9/32 (a unicast route needs a device)")
        #expect(error.description == "adding route 198.18.0.9/32 (a unicast route needs a device) in namespace fl-x: Invalid input data or parameter (libnl: NLE_INVAL)")
    }

    /// The words every message starts with, unchanged since operations were strings.
    static let words: [(NetlinkOperation, String)] = [
        (.allocateSocket, "allocating"), (.connectSocket, "connecting"), (.addLink, "adding"),
        (.setLinkUp, "setting up"), (.lookUpLink, "looking up"), (.addAddress, "adding"), (.addRoute, "adding"),
        (.deleteRoute, "deleting"), (.addRule, "adding FIB rule"), (.deleteRule, "deleting FIB rule"),
        (.writeSysctl, "writing sysctl"), (.addQdisc, "adding"), (.deleteQdisc, "deleting"), (.addClass, "adding"),
        (.deleteClass, "deleting"), (.addFilter, "adding"), (.deleteFilter, "deleting"), (.list, "listing"),
        (.recording, "recording"),
    ]

    @Test(arguments: words)
    func operationsReadAsBefore(operation: NetlinkOperation, words: String) {
        #expect(operation.description == words)
    }

    @Test func theWordingTableCoversEveryOperation() {
        #expect(Set(Self.words.map(\.0)) == Set(NetlinkOperation.allCases))
    }
}
