import FaultlineCore
import ScenarioFormat

/// A gRPC call's end: its code, message, and `grpc-retry-pushback-ms` when the server asks the
/// client to wait (or, negative, not to retry).
public struct GRPCStatus: Error, Sendable, Equatable {
    public var code: GRPCStatusCode
    public var message: String
    public var pushbackMilliseconds: Int64?

    public init(_ code: GRPCStatusCode, _ message: String = "", pushbackMilliseconds: Int64? = nil) {
        self.code = code
        self.message = message
        self.pushbackMilliseconds = pushbackMilliseconds
    }

    public static let ok = GRPCStatus(.ok)
}

/// What a gRPC service does with the calls of one method.
public enum GRPCMethod: Sendable {
    /// One request message, one response message, or a status.
    case unary(@Sendable (_ request: [UInt8]) throws(GRPCStatus) -> [UInt8])
    /// Messages both ways for as long as the call lasts: a session is made per call and sends
    /// through the call's sink when it likes.
    case bidirectional(@Sendable (_ sink: GRPCCallSink) -> any GRPCStreamSession)
}

/// One streaming call, as the service sees it. Called on the call's event loop, in order.
public protocol GRPCStreamSession: AnyObject {
    /// A request message arrived. Throwing ends the call with that status.
    func received(_ message: [UInt8]) throws(GRPCStatus)
    /// The client has sent its last message (half-close).
    func clientFinished()
    /// The call is over, however it ended: let go of what it holds (watchers, keep-alives).
    func ended()
}

/// A service: the method for a call's path (`/etcdserverpb.KV/Range`), or nil for UNIMPLEMENTED.
public protocol GRPCResponder: Sendable {
    func method(for path: String) -> GRPCMethod?
    /// How often the service does work of its own (expiring leases); nil for never.
    var housekeepingInterval: TimeSpan? { get }
    func housekeeping()
}

extension GRPCResponder {
    public var housekeepingInterval: TimeSpan? { nil }
    public func housekeeping() {}
}
