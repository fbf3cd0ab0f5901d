import Foundation

/// What a gRPC call's headers say about its outcome (the gRPC over HTTP/2 protocol): the call is
/// gRPC when its request's `content-type` is `application/grpc` (or `application/grpc+proto` …),
/// and its status comes in the trailers, or in the only HEADERS of a Trailers-Only response.
struct GRPCCall {
    /// `grpc-status`: 0 (OK) to 16; kept as sent, whatever its value.
    var status: Int?
    /// `grpc-message`, percent-decoded.
    var message: String?
    /// `grpc-retry-pushback-ms` as sent: a delay the client must wait, or (negative) a refusal.
    var retryPushback: String?

    static func isGRPC(contentType: String?) -> Bool {
        guard let type = contentType?.lowercased() else { return false }
        return type == "application/grpc" || type.hasPrefix("application/grpc+") || type.hasPrefix("application/grpc;")
    }

    /// The gRPC fields among `headers`; nil when there are none.
    init?(headers: [(name: String, value: String)]) {
        for (name, value) in headers {
            switch name {
            case "grpc-status": status = Int(value.trimmingCharacters(in: .whitespaces))
            case "grpc-message": message = String(Self.percentDecoded(value).prefix(HTTPMessageHead.maxValueLength))
            case "grpc-retry-pushback-ms": retryPushback = String(value.prefix(32))
            default: continue
            }
        }
        if status == nil && message == nil && retryPushback == nil { return nil }
    }

    /// `grpc-message` is percent-encoded UTF-8; a malformed escape is kept as written.
    static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
