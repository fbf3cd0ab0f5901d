/// One step of a TLS handshake as the observer read it from the plaintext records on the wire.
///
/// What TLS leaves readable: the ClientHello (the server name asked for, the ALPN protocols and
/// versions offered), the ServerHello (the version chosen, and for TLS 1.2 the ALPN protocol),
/// alerts sent before encryption starts, and — by the records' types and sizes — whether each side
/// finished. A TLS 1.3 alert after the ServerHello is encrypted: its code is unknown on the wire
/// (the stand-in that received it knows it), and the step says `encrypted`.
public struct TLSStep: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case clientHello = "client-hello"
        case serverHello = "server-hello"
        /// An alert before the handshake completed: it failed.
        case alert
        /// Both sides finished: what follows is encrypted application data.
        case completed
    }

    public var step: Kind
    /// `client-hello`: the SNI server name, if the client sent one.
    public var serverName: String?
    /// `client-hello`: the ALPN protocols offered; `server-hello`/`completed`: the one chosen, when readable.
    public var alpn: [String]?
    /// `client-hello`: the versions offered (`TLS 1.3`, `TLS 1.2` …).
    public var versions: [String]?
    /// `server-hello`/`completed`: the version the server chose.
    public var version: String?
    /// `alert`: who sent it (`client` or `server`).
    public var sender: String?
    /// `alert`: its description and code (`bad_certificate (42)`), or `encrypted`.
    public var alert: String?
    /// A TLS stand-in's step: the faults that chose the certificate or version the handshake met.
    public var fault: String?

    public init(
        step: Kind, serverName: String? = nil, alpn: [String]? = nil, versions: [String]? = nil, version: String? = nil,
        sender: String? = nil, alert: String? = nil, fault: String? = nil
    ) {
        self.step = step
        self.serverName = serverName
        self.alpn = alpn
        self.versions = versions
        self.version = version
        self.sender = sender
        self.alert = alert
        self.fault = fault
    }
}

extension TLSStep: CustomStringConvertible {
    /// `client-hello consul.service alpn h2,http/1.1`, `alert bad_certificate (42) from the client`.
    public var description: String {
        var parts = [step.rawValue]
        switch step {
        case .clientHello:
            if let serverName { parts.append(serverName) }
            if let versions, !versions.isEmpty { parts.append(versions.joined(separator: ",")) }
        case .serverHello, .completed:
            if let version { parts.append(version) }
        case .alert:
            parts.append((alert ?? "encrypted") + (sender.map { " from the \($0)" } ?? ""))
        }
        if step != .alert, let alpn, !alpn.isEmpty { parts.append("alpn " + alpn.joined(separator: ",")) }
        return parts.joined(separator: " ")
    }
}
