import CLinux
import Dispatch
import Foundation
import Glibc
import LinuxSystem

/// `faultline _guest-init`: PID 1 of the guest kernel. It makes the host's file tree a working
/// system (its own /proc, /sys, cgroup2, /run, /tmp, /dev/shm), loads the modules Faultline's
/// engines need, runs the session's command with the launcher's folder, environment and kind of
/// output, passes it the launcher's signals, writes how it ended into the session, and powers
/// the guest off.
public enum GuestInit {
    /// The kernel passes unknown `NAME=value` parameters to init as its environment.
    public static let sessionVariable = "FAULTLINE_GUEST_SESSION"

    /// The session folder the launcher named on the kernel's command line.
    public static var sessionFromEnvironment: String? { ProcessInfo.processInfo.environment[sessionVariable] }

    public static func run(sessionPath: String) -> Never {
        guard getpid() == 1 else {
            FileHandle.standardError.write(Data("faultline _guest-init runs only as a guest kernel's init (pid 1)\n".utf8))
            exit(2)
        }
        var session = GuestSession.attach(path: sessionPath)
        var status = GuestStatus(exitCode: 125, bootSeconds: 0, moduleFailures: [])
        var job: StartedJob?
        do {
            job = try start(&session, &status)
            status.exitCode = waitForJob(job!)
        } catch {
            status.failure = "\(error)"
            FileHandle.standardError.write(Data("faultline guest: \(error)\n".utf8))
        }
        powerOff(session, status, output: job?.relaysDone)
    }

    /// The command as started: its pid and the relays of its output (when it writes to pipes).
    struct StartedJob {
        var pid: pid_t
        /// Left when every relay has copied its pipe to the end.
        var relaysDone: DispatchGroup
        /// Kept alive while the command runs.
        var signals: DispatchSourceSignal
    }

    static func start(_ session: inout GuestSession, _ status: inout GuestStatus) throws -> StartedJob {
        // Read before the guest's own /run covers the host's, where root's sessions live.
        guard let job = session.read(GuestJob.self, from: session.jobFile) else {
            throw GuestError.systemCall("reading the guest job", session.jobFile, errno: ENOENT)
        }
        try mount("proc", on: "/proc")
        // The session stays reachable through a descriptor opened now (status and signal files).
        let folder = open(session.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { throw GuestError.systemCall("opening the guest session folder", session.path) }
        session = GuestSession.attach(path: "/proc/1/fd/\(folder)")
        try mountSystem()
        let stderrConsole = open("/dev/tty1", O_WRONLY | O_NOCTTY | O_CLOEXEC)
        guard stderrConsole >= 0 else { throw GuestError.systemCall("opening the stderr console", "/dev/tty1") }
        for fd in [STDOUT_FILENO, stderrConsole] { rawOutput(fd) }
        dup2(stderrConsole, STDERR_FILENO)
        close(stderrConsole)
        _ = "faultline-guest".withCString { sethostname($0, strlen($0)) }
        if fl_interface_up("lo") != 0 { throw GuestError.systemCall("bringing up", "lo") }

        var loader = try ModuleLoader(directory: job.modulesDirectory)
        for module in job.modules {
            do { try loader.load(module) } catch { status.moduleFailures.append("\(error)") }
        }
        // ctrl-alt-del (the launcher's signal, through the management console) becomes SIGINT to us.
        _ = fl_reboot(FL_RB_DISABLE_CAD)

        // posix_spawnp searches the caller's PATH.
        setenv("PATH", job.environment["PATH"] ?? "/usr/bin:/bin", 1)
        let relay = !(job.stdoutIsTerminal && job.stderrIsTerminal)
        let child = try Spawn.start(job.arguments, env: job.environment, directory: job.directory, capture: relay)
        status.bootSeconds = uptime()
        let signals = forwardSignals(to: child.pid, session)
        let done = DispatchGroup()
        for (from, to) in [(child.stdout, STDOUT_FILENO), (child.stderr, STDERR_FILENO)] {
            guard let from else { continue }
            done.enter()
            let thread = Thread {
                copy(from, to)
                done.leave()
            }
            thread.start()
        }
        return StartedJob(pid: child.pid, relaysDone: done, signals: signals)
    }

    /// The guest's own kernel file systems over the host's tree (hostfs shows the host's /sys and
    /// /run as plain folders); /proc is mounted first, /dev is the kernel's devtmpfs. /tmp stays
    /// the host's, like every other folder, so paths a user gives mean the same inside.
    static func mountSystem() throws {
        let mounts: [(type: String, target: String, options: String)] = [
            ("sysfs", "/sys", ""),
            ("cgroup2", "/sys/fs/cgroup", ""),
            ("tmpfs", "/run", "mode=0755"),
            ("tmpfs", "/dev/shm", "mode=1777"),
            ("devpts", "/dev/pts", "mode=0620,ptmxmode=0666"),
        ]
        for m in mounts { try mount(m.type, on: m.target, options: m.options) }
        mkdir("/run/netns", 0o755)
    }

    static func mount(_ type: String, on target: String, options: String = "") throws {
        mkdir(target, 0o755)
        guard fl_mount(type, target, type, 0, options) == 0 else { throw GuestError.systemCall("mounting \(type) on", target) }
    }

    /// Output exactly as written: no `\r` before each `\n`, no echo of the console's input.
    static func rawOutput(_ fd: Int32) {
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { return }
        t.c_oflag &= ~tcflag_t(OPOST)
        t.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        tcsetattr(fd, TCSANOW, &t)
    }

    static func copy(_ from: Int32, _ to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(from, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var written = 0
            while written < n {
                let w = buffer[written..<n].withUnsafeBytes { write(to, $0.baseAddress, $0.count) }
                if w < 0 && errno == EINTR { continue }
                if w <= 0 { break }
                written += w
            }
        }
        close(from)
    }

    /// The launcher's signal arrives as SIGINT (ctrl-alt-del); the session says which it was.
    static func forwardSignals(to pid: pid_t, _ session: GuestSession) -> DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "guest init signals"))
        source.setEventHandler {
            let name = (try? String(contentsOfFile: session.signalFile, encoding: .utf8)) ?? "INT"
            let number: Int32 = switch name { case "TERM": SIGTERM; case "HUP": SIGHUP; default: SIGINT }
            kill(-pid, number)
        }
        source.resume()
        return source
    }

    /// Reaps every child (PID 1 inherits orphans) until the command itself has ended.
    static func waitForJob(_ job: StartedJob) -> Int32 {
        while true {
            var st: Int32 = 0
            let pid = waitpid(-1, &st, 0)
            if pid == job.pid { return st & 0x7f == 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f) }
            if pid < 0 && errno == ECHILD { return 125 }
        }
    }

    /// Ends what the command left running, writes the status into the session, powers off.
    static func powerOff(_ session: GuestSession, _ status: GuestStatus, output: DispatchGroup?) -> Never {
        kill(-1, SIGKILL)
        var st: Int32 = 0
        while waitpid(-1, &st, 0) > 0 || errno == EINTR {}
        // Every writer is gone, so the relays reach the end of their pipes.
        _ = output?.wait(timeout: .now() + 5)
        try? session.write(status, to: session.statusFile)
        sync()
        // Nothing of the kernel's own farewell ("reboot: System halted") on the command's stdout.
        try? "0".write(toFile: "/proc/sys/kernel/printk", atomically: false, encoding: .utf8)
        _ = fl_reboot(FL_RB_POWER_OFF)
        exit(status.exitCode)
    }

    /// Seconds since the guest kernel started (`/proc/uptime`).
    static func uptime() -> Double {
        let text = (try? String(contentsOfFile: "/proc/uptime", encoding: .utf8)) ?? ""
        return Double(text.split(separator: " ").first ?? "") ?? 0
    }
}
