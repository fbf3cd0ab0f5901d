import Glibc
import NIOCore
import NIOSSL
import ScenarioFormat

extension Channel {
    /// Drops the connection without an answer, as an `abort` fault says: `reset` sends a TCP RST
    /// (linger 0), `close` a FIN. Over TLS a reset skips the TLS shutdown (its close_notify would
    /// turn the reset into a clean end of stream: curl's "Empty reply"), while a close keeps it,
    /// as a server closing a TLS connection does. Called on the channel's event loop.
    func abort(_ mode: HTTPAbort) {
        guard mode == .reset, let provider = self as? any SocketOptionProvider else {
            close(promise: nil)
            return
        }
        let channel = self
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).hop(to: eventLoop).assumeIsolated().whenComplete { _ in
            // Closing from the TLS handler's own context goes on toward the socket, past the handler.
            if let tls = try? channel.pipeline.syncOperations.context(handlerType: NIOSSLServerHandler.self) {
                tls.close(promise: nil)
            } else {
                channel.close(promise: nil)
            }
        }
    }
}
