import Foundation
import Glibc

/// Runs a program with `posix_spawn` and waits for it, keeping its standard error for messages.
///
/// The child starts in the calling thread's network namespace, so calling this from a
/// ``NamespaceThread`` runs the program inside that namespace (what `ip netns exec` does).
public enum ExternalCommand {
    /// How a finished command ended.
    public struct Outcome: Sendable, Equatable {
        /// The exit status, or 128 + signal number if a signal ended it.
        public var status: Int32
        public var standardError: String
        public var succeeded: Bool { status == 0 }
    }

    /// The full path of `name`, searched in `PATH` and then the sbin folders root's tools live in.
    public static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return locate(name, searching: path + ":/usr/sbin:/sbin:/usr/bin:/bin")
    }

    /// The full path of `name` in the `:`-separated `path` only (`name` itself when it contains a `/`);
    /// nil unless it is an executable file there.
    public static func locate(_ name: String, searching path: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        return path.split(separator: ":").lazy.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// Spawns `executable` (a full path) with `arguments` (through ``Spawn``), keeps its standard
    /// error for messages, and waits for it to end.
    public static func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        let child = try Spawn.start([executable] + arguments, env: ProcessInfo.processInfo.environment)
        let (_, errorBytes) = Spawn.readToEnd(child)
        let code: Int32 = switch Spawn.wait(child.pid) {
        case .exited(let c): c
        case .signaled(let s): 128 + s
        }
        return Outcome(status: code, standardError: String(decoding: errorBytes, as: UTF8.self))
    }
}
