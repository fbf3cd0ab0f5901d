/// One libnl request: what it does, to what, and in which namespace. The one place a libnl
/// result becomes a ``NetlinkError``; no call site formats its own.
public struct NetlinkRequest: Sendable, Hashable {
    public var operation: NetlinkOperation
    /// What it is done to, in `ip`'s words: "from 198.18.0.2/32 to 198.18.0.3/32 blackhole".
    public var object: String
    /// The namespace the socket lives in.
    public var namespace: String

    public init(_ operation: NetlinkOperation, _ object: String, in namespace: String) {
        self.operation = operation
        self.object = object
        self.namespace = namespace
    }

    /// Negative results (`NLE_*` codes) throw; others pass through.
    @discardableResult
    public func check(_ rc: Int32) throws(NetlinkError) -> Int32 {
        guard rc < 0 else { return rc }
        throw failure(rc)
    }

    /// The error for libnl code `code` (either sign), with `reason` in brackets after the object
    /// when the request was refused before it was sent: "route … (a unicast route needs a device)".
    public func failure(_ code: Int32, _ reason: String? = nil) -> NetlinkError {
        NetlinkError(reason.map { about("\(object) (\($0))") } ?? self, code: code)
    }

    /// The same request, naming another object (a part of it, such as the qdisc's kind).
    public func about(_ object: String) -> NetlinkRequest {
        NetlinkRequest(operation, object, in: namespace)
    }
}
