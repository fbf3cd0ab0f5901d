import Foundation
import ScenarioFormat
import Services
import SwiftASN1
import Testing
import X509

/// The run's certificates, checked by swift-certificates' RFC 5280 verifier as a client would:
/// the stand-in's own and a rotated one verify for its names and address against the run's
/// authority; each fault's certificate fails for the reason it names.
struct RunCertificatesTests {
    static let address: [UInt8] = [198, 18, 0, 2]

    static func verify(_ identity: RunCertificates.Identity, authority: String, host: String) async throws -> Bool {
        let leaf = try Certificate(pemEncoded: identity.certificatePEM)
        let root = try Certificate(pemEncoded: authority)
        var verifier = Verifier(rootCertificates: CertificateStore([root])) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: host, serverIP: nil)
        }
        if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore()) { return true }
        return false
    }

    @Test func theOwnAndARotatedCertificateVerifyForTheNamesAndADifferentKey() async throws {
        let run = try RunCertificates(runID: "t")
        let own = try run.identity(host: "consul", names: ["consul.service.consul"], addresses: [Self.address])
        let rotated = try run.identity(host: "consul", names: ["consul.service.consul"], addresses: [Self.address], fault: .rotated)
        for identity in [own, rotated] {
            #expect(try await Self.verify(identity, authority: run.authorityPEM, host: "consul"))
            #expect(try await Self.verify(identity, authority: run.authorityPEM, host: "consul.service.consul"))
            #expect(try await !Self.verify(identity, authority: run.authorityPEM, host: "other"))
            let leaf = try Certificate(pemEncoded: identity.certificatePEM)
            let names = try leaf.extensions.subjectAlternativeNames.map(Array.init) ?? []
            #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(Self.address)))))
        }
        #expect(own.keyPEM != rotated.keyPEM)
        #expect(try Certificate(pemEncoded: own.certificatePEM).serialNumber != Certificate(pemEncoded: rotated.certificatePEM).serialNumber)
    }

    @Test(arguments: TLSCertificateFault.allCases.filter { $0 != .rotated })
    func eachFaultsCertificateFailsForItsReason(fault: TLSCertificateFault) async throws {
        let run = try RunCertificates(runID: "t")
        let bad = try run.identity(host: "consul", names: [], addresses: [Self.address], fault: fault)
        #expect(try await !Self.verify(bad, authority: run.authorityPEM, host: "consul"))
        let leaf = try Certificate(pemEncoded: bad.certificatePEM)
        let authority = try Certificate(pemEncoded: run.authorityPEM)
        switch fault {
        case .expired:
            #expect(leaf.notValidAfter < Date() && leaf.issuer == authority.subject)
        case .wrongName:
            #expect(try leaf.extensions.subjectAlternativeNames.map(Array.init) == [.dnsName("wrong-name.invalid")])
            #expect(leaf.notValidAfter > Date() && leaf.issuer == authority.subject)
        case .unknownCA:
            #expect(leaf.issuer != authority.subject && leaf.notValidAfter > Date())
        case .selfSigned:
            #expect(leaf.issuer == leaf.subject)
        case .rotated:
            Issue.record("a rotation is no bad certificate")
        }
    }
}
