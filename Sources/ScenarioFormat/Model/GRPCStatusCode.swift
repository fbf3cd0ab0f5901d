/// A gRPC call's status code, as `grpc-status` carries it (gRPC's `statuscodes.md`), by the names
/// scenarios write in `failures:` and `outcomes:` (`UNAVAILABLE`, `resource_exhausted`, …).
public enum GRPCStatusCode: Int, Codable, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ok = 0
    case cancelled = 1
    case unknown = 2
    case invalidArgument = 3
    case deadlineExceeded = 4
    case notFound = 5
    case alreadyExists = 6
    case permissionDenied = 7
    case resourceExhausted = 8
    case failedPrecondition = 9
    case aborted = 10
    case outOfRange = 11
    case unimplemented = 12
    case `internal` = 13
    case unavailable = 14
    case dataLoss = 15
    case unauthenticated = 16

    private static let names = [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ]

    /// `UNAVAILABLE`, as gRPC names it.
    public var description: String { Self.names[rawValue] }

    /// A code by its name, in any case (`UNAVAILABLE`, `unavailable`, `Unavailable`).
    public init?(name: String) {
        guard let i = Self.names.firstIndex(of: name.uppercased()) else { return nil }
        self.init(rawValue: i)
    }

    /// The code a gRPC client reports for a call answered with HTTP `status` and no `grpc-status`
    /// (gRPC's `http-grpc-status-mapping.md`); a 200 without a status is a broken answer, INTERNAL.
    public init(httpStatus status: Int) {
        switch status {
        case 400, 200: self = .internal
        case 401: self = .unauthenticated
        case 403: self = .permissionDenied
        case 404: self = .unimplemented
        case 429, 502, 503, 504: self = .unavailable
        default: self = .unknown
        }
    }
}

extension GRPCStatusCode {
    /// The code a gRPC client reports for a call whose stream ended before its status: by
    /// RST_STREAM's error code (gRPC's PROTOCOL-HTTP2.md, as grpc-go maps them), and UNAVAILABLE
    /// for a stream a GOAWAY left out (the client may retry it elsewhere).
    /// - Parameter reset: the observer's `RST_STREAM REFUSED_STREAM (server)`, `GOAWAY NO_ERROR`.
    public init(reset: String) {
        let words = reset.split(separator: " ")
        guard words.first == "RST_STREAM", words.count >= 2 else {
            self = .unavailable
            return
        }
        switch words[1] {
        case "REFUSED_STREAM": self = .unavailable
        case "CANCEL": self = .cancelled
        case "ENHANCE_YOUR_CALM": self = .resourceExhausted
        case "INADEQUATE_SECURITY": self = .permissionDenied
        default: self = .internal
        }
    }
}
