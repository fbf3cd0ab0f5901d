import CLinux
import FaultlineCore
import Foundation
import Glibc

/// A child started with `posix_spawn(3)`, in its own process group.
public struct SpawnedChild: Sendable {
    public let pid: pid_t
    /// The read ends of the child's stdout and stderr pipes (nil when not captured).
    public let stdout: Int32?
    public let stderr: Int32?
}

/// Starts programs with `posix_spawn(3)` — the one place that does.
///
/// Call it on a thread that already sits in the right namespaces (a ``NamespaceThread``): the child
/// inherits the calling thread's network and mount namespaces, not the process's.
public enum Spawn {
    /// Starts `argv` with `env` in `directory`, stdin from /dev/null, stdout/stderr piped back when
    /// `capture` is set (else inherited, or sent to /dev/null with `discard`), as the leader of a new process group, with a clean signal
    /// mask and default signal actions.
    public static func start(
        _ argv: [String], env: [String: String], directory: String? = nil, capture: Bool = true, discard: Bool = false
    ) throws -> SpawnedChild {
        precondition(!argv.isEmpty)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }

        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        if capture {
            guard fl_pipe_cloexec(&outPipe) == 0, fl_pipe_cloexec(&errPipe) == 0 else {
                throw SystemCallError("creating output pipes for", argv[0])
            }
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if discard && !capture {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        if let directory { fl_spawn_addchdir(&actions, directory) }

        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attr, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attr, &allSignals)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, &attr, cArgs, cEnv)
        if capture {
            close(outPipe[1])
            close(errPipe[1])
        }
        guard rc == 0 else {
            if capture {
                close(outPipe[0])
                close(errPipe[0])
            }
            throw SystemCallError("starting", argv.joined(separator: " "), errno: rc)
        }
        return SpawnedChild(pid: pid, stdout: capture ? outPipe[0] : nil, stderr: capture ? errPipe[0] : nil)
    }

    /// Reads the child's captured stdout and stderr until both close, and closes them.
    public static func readToEnd(_ child: SpawnedChild) -> (stdout: [UInt8], stderr: [UInt8]) {
        var out = [UInt8](), err = [UInt8]()
        var open = [child.stdout, child.stderr].compactMap { $0 }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in fds where p.revents != 0 {
                let n = read(p.fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    close(p.fd)
                    open.removeAll { $0 == p.fd }
                } else if p.fd == child.stdout {
                    out += buffer[0..<n]
                } else {
                    err += buffer[0..<n]
                }
            }
        }
        for fd in open { close(fd) }
        return (out, err)
    }

    /// Waits for `pid` to end (blocking) and says how.
    public static func wait(_ pid: pid_t) -> ExitStatus {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(-1) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which do not import as macros.
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(status & 0x7f)
    }
}
