import Foundation

/// What the guest's init runs: written by the launcher into the session folder, read by
/// `faultline _guest-init` inside the guest (the host's files are the guest's root).
public struct GuestJob: Codable, Sendable, Equatable {
    /// The command and its arguments; the first is searched in the job's `PATH`.
    public var arguments: [String]
    /// The folder it starts in (the launcher's own).
    public var directory: String
    public var environment: [String: String]
    /// Whether the launcher's stdout and stderr are terminals: the command sees the same (a
    /// guest console where they are, a pipe relayed to the console where they are not).
    public var stdoutIsTerminal: Bool
    public var stderrIsTerminal: Bool
    /// Where the guest kernel's modules are, and which to load at boot.
    public var modulesDirectory: String
    public var modules: [String]

    public init(arguments: [String], directory: String, environment: [String: String], stdoutIsTerminal: Bool,
                stderrIsTerminal: Bool, modulesDirectory: String, modules: [String]) {
        self.arguments = arguments
        self.directory = directory
        self.environment = environment
        self.stdoutIsTerminal = stdoutIsTerminal
        self.stderrIsTerminal = stderrIsTerminal
        self.modulesDirectory = modulesDirectory
        self.modules = modules
    }
}

/// How the command ended inside the guest: written by the guest's init before it powers off.
public struct GuestStatus: Codable, Sendable, Equatable {
    /// The exit status, or 128 + signal.
    public var exitCode: Int32
    /// Seconds from the kernel's start to the command's start (boot, mounts, modules).
    public var bootSeconds: Double
    /// Modules that would not load, with the reason (the command ran without them).
    public var moduleFailures: [String]
    /// Why the guest could not start the command at all (then `exitCode` is 125).
    public var failure: String?

    public init(exitCode: Int32, bootSeconds: Double, moduleFailures: [String], failure: String? = nil) {
        self.exitCode = exitCode
        self.bootSeconds = bootSeconds
        self.moduleFailures = moduleFailures
        self.failure = failure
    }
}

/// The environment variable that tells a command it runs in Faultline's guest kernel; its value
/// is the guest kernel's description (`user-mode Linux 6.1.176`). Reports name the kernel by it.
public enum GuestMarker {
    public static let variable = "FAULTLINE_GUEST_KERNEL"

    /// The guest kernel this process runs in, or nil on the host.
    public static var current: String? {
        ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }
}
