/// One HTTP/2 stream the client opened: one call, from its request headers to its outcome.
struct H2Stream {
    var exchange: Int
    /// Capture time of the request's first HEADERS frame.
    var start: Int64
    /// The request's `content-type` said gRPC: the outcome waits for the status in the trailers.
    var grpc: Bool
    /// The final (non-1xx) `:status`, once the response headers came.
    var status: Int?
    var retryAfter: String?
    /// The answer event is out: later frames on the stream change nothing.
    var answered = false
    /// The client's side ended (END_STREAM): with the answer out, the stream is done.
    var clientEnded = false
}
