import Glibc

/// Why the guest kernel could not run a command, naming what was being done and to what:
/// `booting the guest kernel /usr/bin/linux.uml: No such file or directory (ENOENT)`.
public struct GuestError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case unavailable(remedy: String)
        case systemCall(errno: Int32)
        case noStatus(kernelExit: Int32)
    }

    private let code: Code
    /// What was being done, in words: "booting the guest kernel".
    public let operation: String
    /// What it was done to: a path, a module, a session folder.
    public let object: String

    private init(_ code: Code, _ operation: String, _ object: String) {
        self.code = code
        self.operation = operation
        self.object = object
    }

    /// The guest kernel (or a part of it) is not on this machine; `remedy` says how to get it.
    public static func unavailable(_ what: String, remedy: String) -> GuestError {
        GuestError(.unavailable(remedy: remedy), "finding", what)
    }

    /// A system call failed while doing `operation` to `object` (errno read now unless given).
    public static func systemCall(_ operation: String, _ object: String, errno: Int32 = Glibc.errno) -> GuestError {
        GuestError(.systemCall(errno: errno), operation, object)
    }

    /// The guest ended without writing the command's exit status: it crashed or was killed.
    public static func noStatus(kernelExit: Int32, session: String) -> GuestError {
        GuestError(.noStatus(kernelExit: kernelExit), "running the command in the guest kernel", session)
    }

    /// How to get what is missing, for ``unavailable(_:remedy:)``.
    public var remedy: String? {
        if case .unavailable(let remedy) = code { return remedy }
        return nil
    }

    public var description: String {
        switch code {
        case .unavailable(let remedy): "\(object) is not available (\(remedy))"
        case .systemCall(let errno): "\(operation) \(object): \(String(cString: strerror(errno))) (errno \(errno))"
        case .noStatus(let exit):
            "\(operation) (session \(object)): the guest ended without the command's exit status "
                + "(guest kernel exit \(exit)); its console output above says why"
        }
    }
}
