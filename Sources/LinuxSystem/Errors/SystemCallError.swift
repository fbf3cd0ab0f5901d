import Glibc

/// A failed system call, naming what was being done and to what:
/// `creating namespace fl-3a-router: mounting /run/netns/fl-3a-router: Operation not permitted (EPERM)`.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done, in words: "entering namespace".
    public var operation: String
    /// What it was done to: "fl-3a-router".
    public var object: String
    public var errno: Int32

    public init(_ operation: String, _ object: String, errno: Int32 = Glibc.errno) {
        self.operation = operation
        self.object = object
        self.errno = errno
    }

    public var description: String {
        "\(operation) \(object): \(String(cString: strerror(errno))) (\(SystemCallError.name(of: errno)))"
    }

    /// The symbolic name of common errno values, so a message can be searched for.
    public static func name(of errno: Int32) -> String {
        switch errno {
        case EPERM: "EPERM"
        case ENOENT: "ENOENT"
        case EEXIST: "EEXIST"
        case EINVAL: "EINVAL"
        case EACCES: "EACCES"
        case EBUSY: "EBUSY"
        case ENOSYS: "ENOSYS"
        case ENOMEM: "ENOMEM"
        case EHOSTUNREACH: "EHOSTUNREACH"
        case ECONNREFUSED: "ECONNREFUSED"
        case ETIMEDOUT: "ETIMEDOUT"
        case ENETUNREACH: "ENETUNREACH"
        default: "errno \(errno)"
        }
    }
}

/// Runs a C call that returns -1 and sets errno on failure, turning a failure into a ``SystemCallError``.
@discardableResult
@inline(__always)
public func check(_ operation: String, _ object: String, _ call: () -> Int32) throws -> Int32 {
    let r = call()
    if r < 0 { throw SystemCallError(operation, object) }
    return r
}
