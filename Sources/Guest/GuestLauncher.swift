import CLinux
import Dispatch
import Foundation
import Glibc
import Synchronization

/// Runs one command inside the guest kernel and waits for it, as if it ran here: same folder,
/// same environment, output on this process's stdout and stderr, its exit status returned.
///
/// The guest's root file system is this machine's (`rootfstype=hostfs rootflags=/`), so the
/// command sees the same files with this user's rights, and what it writes lands here. Inside,
/// this executable is PID 1 (``GuestInit``): it mounts what a system needs, loads the modules and starts
/// the command. Everything the command creates — namespaces, qdiscs, cgroups, processes — lives
/// in the guest kernel and ends with it. SIGINT and SIGTERM are passed to the command (through
/// the guest's ctrl-alt-del, which its init turns into the signal); a second one ends the guest.
public struct GuestLauncher: Sendable {
    public var kernel: GuestKernel
    /// The guest's memory (`mem=`), backed lazily by a file in the host's tmpfs.
    public var memoryMegabytes: Int
    /// The program the guest runs as its init: this executable (see ``GuestInit``).
    public var initProgram: String

    public init(kernel: GuestKernel, memoryMegabytes: Int = 2048, initProgram: String = GuestLauncher.ownExecutable) {
        self.kernel = kernel
        self.memoryMegabytes = memoryMegabytes
        self.initProgram = initProgram
    }

    /// This executable's path (`/proc/self/exe`).
    public static var ownExecutable: String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        return n > 0 ? String(decoding: buf[..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    /// What a finished guest run measured.
    public struct Outcome: Sendable {
        public var status: GuestStatus
        /// From starting the guest kernel to its end.
        public var wallSeconds: Double
    }

    /// `arguments` without the named options and their values (`--kernel guest`, `--kernel=guest`),
    /// for the same command run again inside the guest; arguments after `--` stay as they are.
    public static func removingOptions(_ options: Set<String>, from arguments: [String]) -> [String] {
        var out: [String] = []
        var skipNext = false, passthrough = false
        for argument in arguments {
            if passthrough { out.append(argument); continue }
            if skipNext { skipNext = false; continue }
            if argument == "--" { passthrough = true; out.append(argument); continue }
            if options.contains(argument) { skipNext = true; continue }
            if let eq = argument.firstIndex(of: "="), options.contains(String(argument[..<eq])) { continue }
            out.append(argument)
        }
        return out
    }

    /// Variables of the launcher's environment that name things of this machine's runtime the
    /// guest does not have (its /run is its own).
    static let hostOnlyVariables: Set<String> = ["XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK", "LISTEN_FDS", "LISTEN_PID", "NOTIFY_SOCKET"]

    /// Runs `arguments` in the guest with `environment` (default: this process's) from `directory`.
    public func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                    directory: String = FileManager.default.currentDirectoryPath) throws -> Outcome {
        precondition(!arguments.isEmpty)
        // The guest mounts a /run of its own (namespace pins, run registry): the host's is hidden there.
        if directory == "/run" || directory.hasPrefix("/run/") {
            throw GuestError.unavailable("this folder inside the guest (\(directory))",
                                         remedy: "the guest kernel has a /run of its own; start from a folder outside /run")
        }
        let session = try GuestSession.create()
        defer { session.remove() }
        var env = environment.filter { !Self.hostOnlyVariables.contains($0.key) }
        env[GuestMarker.variable] = "user-mode Linux \(kernel.release)"
        let job = GuestJob(arguments: arguments, directory: directory, environment: env,
                           stdoutIsTerminal: isatty(STDOUT_FILENO) == 1, stderrIsTerminal: isatty(STDERR_FILENO) == 1,
                           modulesDirectory: kernel.modulesDirectory, modules: GuestKernel.bootModules)
        try session.write(job, to: session.jobFile)

        let started = DispatchTime.now()
        let keeper = try boot(session)
        let signals = SignalForwarding(session: session, keeper: keeper.pid)
        let kernelExit = keeper.wait()
        signals.stop()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        guard let status = session.read(GuestStatus.self, from: session.statusFile) else {
            throw GuestError.noStatus(kernelExit: kernelExit, session: session.path)
        }
        return Outcome(status: status, wallSeconds: wall)
    }

    /// The kernel's command line: the host's root as the guest's, the console on stdin/stdout,
    /// a second console (tty1) on stderr, the run folder in the session, and our init.
    func commandLine(_ session: GuestSession) -> [String] {
        [kernel.executable, "mem=\(memoryMegabytes)M", "rootfstype=hostfs", "rootflags=/", "rw", "quiet", "loglevel=1",
         "con0=fd:0,fd:1", "con1=null,fd:2", "con=null", "ssl=null", "umid=\(session.id)", "uml_dir=\(session.kernelFolder)",
         "init=\(initProgram)", "\(GuestInit.sessionVariable)=\(session.path)"]
    }

    /// Starts the guest kernel under a keeper (``fl_spawn_kept``) from a thread that lives until
    /// the keeper is reaped, so the keeper's parent-death signal fires only if this process dies.
    private func boot(_ session: GuestSession) throws -> Keeper {
        let argv = commandLine(session)
        // The kernel backs the guest's memory with a file in $TMPDIR, else /dev/shm, else /tmp.
        let env = ["PATH=/usr/bin:/bin"] + (ProcessInfo.processInfo.environment["TMPDIR"].map { ["TMPDIR=\($0)"] } ?? [])
        let keeper = Keeper()
        let thread = Thread {
            let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
            let cArgs = argv.map { strdup($0) } + [nil]
            let cEnv = env.map { strdup($0) } + [nil]
            let pid = fl_spawn_kept(argv[0], cArgs, cEnv, devNull, STDOUT_FILENO, STDERR_FILENO)
            let spawnErrno = errno
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
            close(devNull)
            keeper.started(pid: pid, errno: spawnErrno)
            guard pid > 0 else { return }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            keeper.ended(status: status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
        }
        thread.name = "guest keeper"
        thread.start()
        let pid = keeper.waitStarted()
        guard pid.pid > 0 else { throw GuestError.systemCall("booting the guest kernel", kernel.executable, errno: pid.errno) }
        try "\(pid.pid)".write(toFile: session.keeperFile, atomically: true, encoding: .utf8)
        return keeper
    }
}

/// The keeper process as the launcher's thread sees it.
final class Keeper: Sendable {
    private let spawned = Mutex<(pid: pid_t, errno: Int32)?>(nil)
    private let exit = Mutex<Int32?>(nil)
    private let spawnedSignal = DispatchSemaphore(value: 0)
    private let exitSignal = DispatchSemaphore(value: 0)

    var pid: pid_t { spawned.withLock { $0?.pid ?? -1 } }

    func started(pid: pid_t, errno: Int32) {
        spawned.withLock { $0 = (pid, errno) }
        spawnedSignal.signal()
    }

    func ended(status: Int32) {
        exit.withLock { $0 = status }
        exitSignal.signal()
    }

    func waitStarted() -> (pid: pid_t, errno: Int32) {
        spawnedSignal.wait()
        return spawned.withLock { $0! }
    }

    /// Blocks until the keeper has ended; its exit status (the guest kernel's).
    func wait() -> Int32 {
        exitSignal.wait()
        return exit.withLock { $0! }
    }
}

/// SIGINT/SIGTERM/SIGHUP while the guest runs: the first is written into the session and the
/// guest's init is told through the management console's ctrl-alt-del; the init passes that
/// signal to the command, which shuts down as it would here. A second signal, or a guest that
/// cannot be told, ends the guest at once (the keeper takes its processes with it).
final class SignalForwarding {
    private let sources: [DispatchSourceSignal]
    private static let names: [Int32: String] = [SIGINT: "INT", SIGTERM: "TERM", SIGHUP: "HUP"]

    init(session: GuestSession, keeper: pid_t) {
        let queue = DispatchQueue(label: "guest signals")
        let count = Mutex(0)
        sources = Self.names.keys.sorted().map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if count.withLock({ $0 += 1; return $0 }) > 1 {
                    kill(keeper, SIGUSR2)
                    return
                }
                do {
                    try Self.names[number, default: "INT"].write(toFile: session.signalFile, atomically: true, encoding: .utf8)
                    _ = try ManagementConsole.send("cad", to: session.consoleSocket)
                } catch {
                    FileHandle.standardError.write(Data("faultline: could not pass SIG\(Self.names[number] ?? "") to the guest (\(error)); ending it\n".utf8))
                    kill(keeper, SIGUSR2)
                }
            }
            source.resume()
            return source
        }
    }

    func stop() {
        for source in sources { source.cancel() }
        for number in Self.names.keys { signal(number, SIG_DFL) }
    }
}

