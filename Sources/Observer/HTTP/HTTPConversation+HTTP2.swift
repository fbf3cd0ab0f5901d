import RunHistory

extension HTTPConversation {
    /// The client's first bytes were the HTTP/2 connection preface: h2c with prior knowledge.
    mutating func beginHTTP2(label: ConnectionLabel, ids: ExchangeCounter) {
        http2 = H2Connection(label: label, ids: ids)
    }

    /// A 101 answered `request`: if what follows is HTTP/2 (`Upgrade: h2c`) the request goes on
    /// as stream 1, under the client's `HTTP2-Settings`; if it is not (a WebSocket), the
    /// connection's `protocol` event says so.
    mutating func upgrade(
        _ request: H2Stream, settings: [UInt8]?, then bytes: [UInt8], at time: Int64, label: ConnectionLabel, ids: ExchangeCounter,
        emit: (EventKind, Int64) -> Void
    ) {
        http2 = H2Connection(label: label, ids: ids, upgraded: request, upgradeSettings: settings)
        bytes.withUnsafeBytes { http2?.feed($0, from: .server, at: time, emit: emit) }
    }
}
