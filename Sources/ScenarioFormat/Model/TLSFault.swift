/// A stand-in serves TLS (`tls:` on a host with `service:`), with a certificate from the run's own
/// certificate authority.
///
/// ```yaml
/// consul:
///   service: consul-kv
///   port: 8501
///   tls: { names: [consul.service.consul] }   # or tls: true
/// ```
///
/// The certificate names the host, its address and `names`; clients trust the run's authority
/// from the file in `FAULTLINE_TLS_CA`.
public struct ServiceTLS: Codable, Sendable, Equatable {
    /// DNS names the certificate is issued for besides the host's own name.
    public var names: [String]

    public init(names: [String] = []) {
        self.names = names
    }
}

/// A TLS fault: what the TLS handshakes with a stand-in meet while it lasts (`tls:` in the
/// timeline). Connections already open keep the session they have, as with a real server.
///
/// ```yaml
/// tls:
///   target: consul
///   certificate: expired        # or wrong-name, unknown-ca, self-signed, rotated
/// ```
public struct TLSFault: Codable, Sendable, Equatable {
    /// The host whose stand-in serves TLS.
    public var target: String
    public var action: TLSFaultAction

    public init(target: String, action: TLSFaultAction) {
        self.target = target
        self.action = action
    }
}

/// What new handshakes meet.
public enum TLSFaultAction: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The server presents another certificate.
    case certificate(TLSCertificateFault)
    /// The server speaks no version above this one (an old server, or one misconfigured).
    case maxVersion(TLSProtocolVersion)
    /// The handshake never gets a ServerHello.
    case handshake(TLSHandshakeFault)

    /// The key that sets it in a scenario file.
    public var keyword: String {
        switch self {
        case .certificate: "certificate"
        case .maxVersion: "max-version"
        case .handshake: "handshake"
        }
    }

    public var description: String {
        switch self {
        case .certificate(let c): "certificate \(c.rawValue)"
        case .maxVersion(let v): "at most \(v.name)"
        case .handshake(let h): "handshake \(h.rawValue)"
        }
    }
}

/// The certificate a server presents instead of its own.
public enum TLSCertificateFault: String, Codable, Sendable, Equatable, CaseIterable {
    /// Issued by the run's authority for the right names, but its validity ended a day ago.
    case expired
    /// Issued by the run's authority, valid, for a name no client asks for (`wrong-name.invalid`).
    case wrongName = "wrong-name"
    /// For the right names, issued by an authority no client of the run trusts.
    case unknownCA = "unknown-ca"
    /// For the right names, signed by its own key.
    case selfSigned = "self-signed"
    /// A new key and serial from the run's authority, for the same names: a rotation done right.
    /// Clients that trust the authority go on; clients that pinned the old certificate do not.
    case rotated
}

/// A TLS protocol version, as `max-version` names it.
public enum TLSProtocolVersion: String, Codable, Sendable, Equatable, CaseIterable {
    case tls10 = "tls1.0"
    case tls11 = "tls1.1"
    case tls12 = "tls1.2"

    /// `TLS 1.0`, as the observer names versions.
    public var name: String {
        switch self {
        case .tls10: "TLS 1.0"
        case .tls11: "TLS 1.1"
        case .tls12: "TLS 1.2"
        }
    }
}

/// A handshake that goes wrong before any certificate is seen.
public enum TLSHandshakeFault: String, Codable, Sendable, Equatable, CaseIterable {
    /// The server resets the connection when the ClientHello arrives.
    case reset
    /// The server closes the connection when the ClientHello arrives (FIN, no alert).
    case close
    /// The server reads the ClientHello and never answers it.
    case stall
}
