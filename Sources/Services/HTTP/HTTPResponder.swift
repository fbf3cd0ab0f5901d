import NIOCore

/// The logic of a stand-in: turns a request into an answer, possibly later (a Consul blocking query).
public protocol HTTPResponder: Sendable {
    /// The answer to `request`, completed on `eventLoop`.
    func answer(_ request: ServiceRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ServiceResponse>
}
