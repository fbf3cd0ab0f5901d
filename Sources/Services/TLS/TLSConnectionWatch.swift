import FaultlineCore
import NIOCore
import NIOSSL
import NIOTLS
import Glibc
import RunHistory
import ScenarioFormat

/// Records a TLS stand-in's side of one connection, and plays a handshake fault on it.
///
/// It sits right after the TLS handler (or alone, when a fault fails the handshake) and records,
/// with `via: service:<host>`: the accepted connection, how the handshake ended (completed, with
/// the version and ALPN protocol; or the alert it received or sent: under TLS 1.3 the wire shows
/// a client's alert only encrypted, and here it is read), and the close. The checks join these to
/// the wire's view of the same connection by its addresses and ports.
final class TLSConnectionWatch: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private let recorder: ServiceRecorder
    private let id: Int
    /// A fault that fails the handshake at the ClientHello, and its name.
    private let failure: (TLSHandshakeFault, String)?
    /// The faults that chose the certificate or version this handshake meets.
    private let shapedBy: [String]
    private var client = ServiceClient.unknown
    private var ended = false
    private var reset = false

    init(recorder: ServiceRecorder, id: Int, failure: (TLSHandshakeFault, String)?, shapedBy: [String]) {
        self.recorder = recorder
        self.id = id
        self.failure = failure
        self.shapedBy = shapedBy
    }

    func channelActive(context: ChannelHandlerContext) {
        client = recorder.client(at: context.channel.remoteAddress)
        recorder.connection(id, client: client, phase: .established)
        recorder.connection(id, client: client, phase: .identified, application: .tls)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let (fault, _) = failure else {
            context.fireChannelRead(data)
            return
        }
        // The ClientHello arrived: the fault answers it instead of a server.
        switch fault {
        case .stall: return
        case .close: context.close(promise: nil)
        case .reset:
            guard let provider = context.channel as? any SocketOptionProvider else {
                context.close(promise: nil)
                return
            }
            reset = true
            recorder.connection(id, client: client, phase: .reset)
            provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).hop(to: context.eventLoop).assumeIsolated()
                .whenComplete { _ in context.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted(let negotiated) = event, !ended {
            ended = true
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            recorder.connection(id, client: client, phase: .tls, tls: TLSStep(
                step: .completed, alpn: negotiated.map { [$0] }, version: handler?.tlsVersion.map(Self.name),
                fault: shapedBy.isEmpty ? nil : shapedBy.joined(separator: ", ")))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !ended, case NIOSSLError.handshakeFailed(let why) = error {
            ended = true
            let (sender, alert) = Self.alert(in: "\(why)")
            recorder.connection(id, client: client, phase: .tls, tls: TLSStep(
                step: .alert, sender: sender, alert: alert,
                fault: shapedBy.isEmpty ? nil : shapedBy.joined(separator: ", ")))
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !reset { recorder.connection(id, client: client, phase: .closed) }
        context.fireChannelInactive()
    }

    static func name(_ v: TLSVersion) -> String {
        switch v {
        case .tlsv1: "TLS 1.0"
        case .tlsv11: "TLS 1.1"
        case .tlsv12: "TLS 1.2"
        case .tlsv13: "TLS 1.3"
        }
    }

    /// Who sent the alert that ended a failed handshake, and which, from BoringSSL's error text.
    ///
    /// BoringSSL names an alert it received `SSLV3_ALERT_…`/`TLSV1_ALERT_…` (the client's: the
    /// certificate it refused); its own refusals have reasons of their own (`UNSUPPORTED_PROTOCOL`
    /// is the `protocol_version` alert it sent).
    static func alert(in error: String) -> (sender: String, alert: String) {
        let reasons = error.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init)
        for reason in reasons {
            for prefix in ["SSLV3_ALERT_", "TLSV1_ALERT_", "TLSV1_"] where reason.hasPrefix(prefix) {
                var name = reason.dropFirst(prefix.count).lowercased()
                if name == "user_cancelled" { name = "user_canceled" }
                if let code = TLSAlertDescription.code(named: name) { return ("client", TLSAlertDescription.text(code)) }
            }
        }
        let own: [String: UInt8] = [
            "UNSUPPORTED_PROTOCOL": 70, "NO_SHARED_CIPHER": 40, "NO_SHARED_GROUP": 40, "NO_APPLICATION_PROTOCOL": 120,
            "WRONG_VERSION_NUMBER": 70, "DECODE_ERROR": 50,
        ]
        if reasons.contains("DECRYPTION_FAILED_OR_BAD_RECORD_MAC") {
            // A TLS 1.3 client (OpenSSL's) alerting before its handshake keys are in use sends the
            // alert in the clear, which the server then fails to decrypt: the wire reads its code.
            return ("client", "an alert sent in the clear, which the server could not decrypt (the wire reads its code)")
        }
        for reason in reasons {
            if let code = own[reason] { return ("server", TLSAlertDescription.text(code) + " (\(reason))") }
            if reason == "HTTP_REQUEST" { return ("server", "the client sent plaintext HTTP to a TLS port") }
        }
        let named = reasons.filter { $0.count > 3 && $0 == $0.uppercased() && $0.contains("_") && $0 != "OPENSSL_internal" }
        return ("server", "the handshake failed (\(named.last ?? error))")
    }
}

/// A client as a stand-in names it: its host (or address) and port.
public struct ServiceClient: Sendable, Equatable {
    public var name: String
    public var port: UInt16?

    static let unknown = ServiceClient(name: "unknown", port: nil)
}
