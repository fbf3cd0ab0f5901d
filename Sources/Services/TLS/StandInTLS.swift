import FaultlineCore
import NIOSSL
import ScenarioFormat
import Synchronization

/// A stand-in's TLS side: the certificate it presents, the TLS faults applied now, and what each
/// new connection's handshake meets because of them.
///
/// Every fault changes only handshakes that start after it; a connection already open keeps its
/// session, as with a real server whose certificate is swapped. When several faults are on at
/// once, each aspect (certificate, version, handshake) comes from the earliest applied that sets it.
public final class StandInTLS: Sendable {
    public let host: String
    private let certificates: RunCertificates
    private let names: [String]
    private let addresses: [[UInt8]]
    /// ALPN protocols offered: `h2` for gRPC, `http/1.1` for HTTP.
    private let alpn: [String]
    private let state: Mutex<State>

    private struct State {
        /// The certificate presented without a certificate fault (replaced by a rotation).
        var own: RunCertificates.Identity
        var rules: [TLSFaultRule] = []
        /// Server contexts made so far, by what shapes them; a rule's context is made when it is installed.
        var contexts: [ContextKey: NIOSSLContext] = [:]
    }

    private struct ContextKey: Hashable {
        var certificate: TLSCertificateFault?
        var maxVersion: TLSProtocolVersion?
    }

    /// What the next accepted connection meets.
    public enum Handshake: Sendable {
        /// A TLS handshake with this context; `shapedBy` names the faults that chose it.
        case serve(NIOSSLContext, shapedBy: [String])
        /// No handshake: the fault named `by` resets, closes or stalls the connection at the ClientHello.
        case fail(TLSHandshakeFault, by: String)
    }

    public init(host: String, tls: ServiceTLS, address: [UInt8], alpn: [String], certificates: RunCertificates) throws {
        self.host = host
        self.certificates = certificates
        self.names = tls.names
        self.addresses = [address]
        self.alpn = alpn
        let own = try certificates.identity(host: host, names: tls.names, addresses: [address])
        var state = State(own: own)
        state.contexts[ContextKey()] = try Self.context(own, alpn: alpn, maxVersion: nil)
        self.state = Mutex(state)
    }

    /// The certificate presented now without a certificate fault, PEM (tests pin it).
    public var ownCertificatePEM: String { state.withLock { $0.own.certificatePEM } }

    /// Starts applying `rule` to the handshakes that follow. A rotation replaces the stand-in's
    /// own certificate for good (healing it does not bring the old one back, as in a real
    /// rotation); other certificate faults present their certificate until healed.
    public func install(_ rule: TLSFaultRule) throws {
        let key: ContextKey?
        var rotated: RunCertificates.Identity?
        switch rule.action {
        case .certificate(.rotated):
            rotated = try certificates.identity(host: host, names: names, addresses: addresses)
            key = nil
        case .certificate(let c): key = ContextKey(certificate: c)
        case .maxVersion(let v): key = ContextKey(maxVersion: v)
        case .handshake: key = nil
        }
        // Made outside the lock: a context takes a key and a certificate to parse.
        var made: [ContextKey: NIOSSLContext] = [:]
        if let key, state.withLock({ $0.contexts[key] }) == nil {
            let identity = try key.certificate.map {
                try certificates.identity(host: host, names: names, addresses: addresses, fault: $0)
            } ?? state.withLock { $0.own }
            made[key] = try Self.context(identity, alpn: alpn, maxVersion: key.maxVersion)
        }
        if let rotated {
            // Every context that presents the stand-in's own certificate is made again.
            for v in [nil] + TLSProtocolVersion.allCases {
                made[ContextKey(maxVersion: v)] = try Self.context(rotated, alpn: alpn, maxVersion: v)
            }
        }
        state.withLock { state in
            if let rotated {
                state.own = rotated
                for k in state.contexts.keys where k.certificate == nil { state.contexts[k] = nil }
            }
            state.contexts.merge(made) { _, new in new }
            if rule.action != .certificate(.rotated) { state.rules.append(rule) }
        }
    }

    /// Stops applying the rule named `name`; idempotent.
    public func remove(named name: String) {
        state.withLock { $0.rules.removeAll { $0.name == name } }
    }

    /// What the handshake of a connection accepted now meets.
    public func nextHandshake() throws -> Handshake {
        let (key, by, failure, cached, own) = state.withLock { state in
            var key = ContextKey()
            var by: [String] = []
            var failure: (TLSHandshakeFault, String)?
            for rule in state.rules {
                switch rule.action {
                case .handshake(let h): if failure == nil { failure = (h, rule.name) }
                case .certificate(let c) where key.certificate == nil: key.certificate = c; by.append(rule.name)
                case .maxVersion(let v) where key.maxVersion == nil: key.maxVersion = v; by.append(rule.name)
                case .certificate, .maxVersion: break
                }
            }
            return (key, by, failure, state.contexts[key], state.own)
        }
        if let (fault, name) = failure { return .fail(fault, by: name) }
        if let cached { return .serve(cached, shapedBy: by) }
        // A certificate fault and a version fault together: a context of both, made once.
        let identity = try key.certificate.map {
            try certificates.identity(host: host, names: names, addresses: addresses, fault: $0)
        } ?? own
        let context = try Self.context(identity, alpn: alpn, maxVersion: key.maxVersion)
        state.withLock { $0.contexts[key] = context }
        return .serve(context, shapedBy: by)
    }

    private static func context(
        _ identity: RunCertificates.Identity, alpn: [String], maxVersion: TLSProtocolVersion?
    ) throws -> NIOSSLContext {
        let (certificate, key) = try identity.sslChain()
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        configuration.applicationProtocols = alpn
        configuration.minimumTLSVersion = .tlsv1
        switch maxVersion {
        case nil: break
        case .tls10: configuration.maximumTLSVersion = .tlsv1
        case .tls11: configuration.maximumTLSVersion = .tlsv11
        case .tls12: configuration.maximumTLSVersion = .tlsv12
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServiceError(operation: "making the TLS server context", underlying: error)
        }
    }
}

/// A TLS fault as a stand-in applies it: its name (for the history) and what it does.
public struct TLSFaultRule: Sendable, Equatable {
    public var name: String
    public var action: TLSFaultAction

    public init(name: String, action: TLSFaultAction) {
        self.name = name
        self.action = action
    }
}
