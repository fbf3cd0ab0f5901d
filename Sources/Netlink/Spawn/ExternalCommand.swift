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
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return folders.lazy.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// Spawns `executable` (a full path) with `arguments`, standard input and output on /dev/null,
    /// and waits for it to end.
    public static func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw SystemCallError("creating pipe for", executable) }
        _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
        var readEnd = pipeFDs[0]
        defer { if readEnd >= 0 { close(readEnd) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(pipeFDs[1])
        guard spawned == 0 else { throw SystemCallError("spawning", executable, errno: spawned) }

        var errorBytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(readEnd, &chunk, chunk.count)
            if n > 0 { errorBytes += chunk[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        close(readEnd)
        readEnd = -1

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SystemCallError("waiting for", executable) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros that do not import.
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return Outcome(status: code, standardError: String(decoding: errorBytes, as: UTF8.self))
    }
}
