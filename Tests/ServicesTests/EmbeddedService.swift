import LinuxSystem
import NIOCore
import NIOEmbedded
import NIOHTTP1
import RunHistory
@testable import Services

/// A stand-in's pipeline on an `EmbeddedChannel`: raw request bytes in, raw response buffers out.
final class EmbeddedService {
    let channel = EmbeddedChannel()
    let history = History(clock: { .zero })
    let rules = HTTPFaultRules()

    init(_ responder: any HTTPResponder) throws {
        let recorder = ServiceRecorder(history: history, host: "api", port: 8080, hostsByAddress: ["198.18.0.4": "client"])
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        try channel.pipeline.syncOperations.addHandler(
            HTTPServiceHandler(responder: responder, rules: rules, recorder: recorder))
        try channel.connect(to: SocketAddress(ipAddress: "198.18.0.4", port: 40000)).wait()
    }

    /// Sends raw bytes as the client.
    func send(_ text: String) throws {
        try channel.writeInbound(channel.allocator.buffer(string: text))
    }

    /// Every buffer written so far, each as text (one buffer = one write).
    func writes() throws -> [String] {
        var out: [String] = []
        while let b = try channel.readOutbound(as: ByteBuffer.self) { out.append(String(buffer: b)) }
        return out
    }

    /// Sends one request and returns the single write that answered it.
    func exchange(_ method: String, _ uri: String, body: String = "", headers: [String] = []) throws -> Answer {
        var text = "\(method) \(uri) HTTP/1.1\r\nHost: api\r\n"
        for h in headers { text += "\(h)\r\n" }
        if !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n\(body)"
        try send(text)
        channel.embeddedEventLoop.run()
        let w = try writes()
        guard w.count == 1 else { throw AnswerError(writes: w) }
        return Answer(w[0])
    }

    var responses: [HTTPResponseEvent] {
        history.events.compactMap { if case .httpResponse(let r) = $0.kind { r } else { nil } }
    }

    var requests: [HTTPRequestEvent] {
        history.events.compactMap { if case .httpRequest(let r) = $0.kind { r } else { nil } }
    }
}

struct AnswerError: Error { var writes: [String] }

/// A raw HTTP/1.1 response split into status, headers and body.
struct Answer {
    var status: Int
    var headers: [String: String]
    var body: String

    init(_ raw: String) {
        let parts = raw.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        status = Int(lines[0].split(separator: " ")[1])!
        var h: [String: String] = [:]
        for line in lines.dropFirst() {
            let kv = line.split(separator: ":", maxSplits: 1)
            h[kv[0].lowercased()] = kv[1].trimmingCharacters(in: .whitespaces)
        }
        headers = h
        body = parts.dropFirst().joined(separator: "\r\n\r\n")
    }
}
