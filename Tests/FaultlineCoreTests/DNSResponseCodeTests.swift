import FaultlineCore
import Foundation
import Testing

struct DNSResponseCodeTests {
    @Test(arguments: [
        (DNSResponseCode.noError, UInt16(0), "NOERROR"), (.formErr, 1, "FORMERR"), (.servFail, 2, "SERVFAIL"),
        (.nxDomain, 3, "NXDOMAIN"), (.notImp, 4, "NOTIMP"), (.refused, 5, "REFUSED"), (.badVers, 16, "BADVERS"),
        (.other(9), 9, "RCODE9"),
    ])
    func codesKeepTheirWireValueAndMnemonic(code: DNSResponseCode, value: UInt16, mnemonic: String) throws {
        #expect(DNSResponseCode(rawValue: value) == code)
        #expect(code.rawValue == value && code.description == mnemonic)
        #expect(DNSResponseCode(mnemonic: mnemonic) == code)
        #expect(String(decoding: try JSONEncoder().encode(code), as: UTF8.self) == "\"\(mnemonic)\"")
        #expect(try JSONDecoder().decode(DNSResponseCode.self, from: Data("\"\(mnemonic)\"".utf8)) == code)
    }

    @Test func aKnownCodeIsNeverReadAsOther() {
        #expect(DNSResponseCode(mnemonic: "RCODE3") == .nxDomain)
        #expect(DNSResponseCode(mnemonic: "nxdomain") == nil)
    }
}
