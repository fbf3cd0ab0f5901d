import Crypto
import FaultlineCore
import Foundation
import NIOSSL
import ScenarioFormat
import SwiftASN1
import X509

/// The run's own public-key infrastructure: a certificate authority made for this run alone, and
/// the certificates its TLS stand-ins present, good and (for faults) bad.
///
/// Keys are ECDSA P-256, made fresh in memory for every run and never written anywhere; only the
/// authority's certificate is written out, for clients to trust (`FAULTLINE_TLS_CA`). A second
/// authority, which no client is given, issues the `unknown-ca` certificates.
public final class RunCertificates: Sendable {
    /// The authority's certificate, PEM: what clients trust.
    public let authorityPEM: String
    private let authority: Authority
    private let stranger: Authority
    /// When the run's certificates start being valid (an hour back, for clocks a little behind).
    private let now: Date

    public init(runID: String, now: Date = Date()) throws {
        self.now = now
        authority = try Authority(name: "Faultline run \(runID) CA", now: now)
        stranger = try Authority(name: "Faultline untrusted CA (no client of the run trusts it)", now: now)
        authorityPEM = try authority.certificate.serializeAsPEM().pemString
    }

    /// A server identity: one certificate (and its key) for `names` and `addresses`.
    public struct Identity: Sendable {
        public var certificatePEM: String
        public var keyPEM: String
        /// The certificate as NIOSSL serves it.
        public func sslChain() throws -> (NIOSSLCertificate, NIOSSLPrivateKey) {
            (try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem),
             try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
        }
    }

    /// What a stand-in presents: its own certificate, or the one a fault puts in its place.
    /// Every call makes a new key and serial (a rotated certificate is just another call).
    public func identity(
        host: String, names: [String], addresses: [[UInt8]], fault: TLSCertificateFault? = nil
    ) throws -> Identity {
        let key = P256.Signing.PrivateKey()
        var dnsNames = [host] + names.filter { $0 != host }
        var notBefore = now - 3600
        var notAfter = now + 7 * 86400
        var issuer = authority
        var selfSigned = false
        switch fault {
        case nil, .rotated: break
        case .expired:
            notBefore = now - 2 * 86400
            notAfter = now - 86400
        case .wrongName: dnsNames = ["wrong-name.invalid"]
        case .unknownCA: issuer = stranger
        case .selfSigned: selfSigned = true
        }
        let subject = try DistinguishedName { CommonName(dnsNames[0]) }
        var alternatives = dnsNames.map { GeneralName.dnsName($0) }
        if fault != .wrongName {
            alternatives += addresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) }
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(alternatives)
            // Strict verifiers (Python 3.13's default, OpenSSL's X509_STRICT) want both identifiers.
            SubjectKeyIdentifier(keyIdentifier: Authority.keyIdentifier(key.publicKey))
            AuthorityKeyIdentifier(keyIdentifier: Authority.keyIdentifier(selfSigned ? key.publicKey : issuer.key.publicKey))
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: selfSigned ? subject : issuer.certificate.subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: selfSigned ? .init(key) : .init(issuer.key))
        return Identity(certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: key.pemRepresentation)
    }

    /// Writes the authority's certificate to `path` (readable by every host's programs).
    public func writeAuthority(to path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(authorityPEM.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ServiceError(operation: "writing the run's certificate authority to \(path)", underlying: error)
        }
    }
}

/// A certificate authority: a self-signed certificate that may sign server certificates only.
private struct Authority: Sendable {
    let key: P256.Signing.PrivateKey
    let certificate: Certificate

    init(name: String, now: Date) throws {
        let key = P256.Signing.PrivateKey()
        self.key = key
        let subject = try DistinguishedName {
            OrganizationName("Faultline")
            CommonName(name)
        }
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 7 * 86400, issuer: subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(keyIdentifier: Self.keyIdentifier(key.publicKey))
            },
            issuerPrivateKey: .init(key))
    }

    /// RFC 5280's method 1: the SHA-1 of the public key's bits.
    static func keyIdentifier(_ key: P256.Signing.PublicKey) -> ArraySlice<UInt8> {
        ArraySlice(Insecure.SHA1.hash(data: key.x963Representation))
    }
}
