import FaultlineCore
import Foundation
import Glibc
import LinuxSystem
import ScenarioFormat

/// A probe attempt that runs a program inside a host (its namespaces, its /etc files): success is
/// exit status 0; the first line it prints is the detail. A name lookup is `getent ahostsv4 NAME`
/// — glibc's own resolver, reading the host's own resolv.conf, as any client there would.
public enum CommandAttempt {
    public static func run(_ argv: [String], in context: HostContext, env: [String: String], timeout: TimeSpan) -> ProbeOutcome {
        let start = RunClockNow.nanoseconds()
        let deadline = start + UInt64(max(timeout.nanoseconds, 1))
        func outcome(_ ok: Bool, _ detail: String) -> ProbeOutcome {
            ProbeOutcome(ok: ok, latency: TimeSpan(nanoseconds: Int64(RunClockNow.nanoseconds() - start)), detail: detail)
        }
        let child: SpawnedChild
        do {
            child = try context.spawn(argv, env: env, directory: nil)
        } catch {
            return outcome(false, "\(error)")
        }
        defer {
            child.stdout.map { _ = close($0) }
            child.stderr.map { _ = close($0) }
        }
        // Collect the first output line until the program closes its output or time runs out.
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var open = [child.stdout, child.stderr].compactMap { $0 }
        while !open.isEmpty {
            let now = RunClockNow.nanoseconds()
            guard now < deadline else { break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let r = poll(&fds, nfds_t(fds.count), Int32((deadline - now) / 1_000_000 + 1))
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { break }
            for p in fds where p.revents != 0 {
                let n = read(p.fd, &buffer, buffer.count)
                if n <= 0 { open.removeAll { $0 == p.fd } } else if output.count < 4096 { output += buffer[0..<n] }
            }
        }
        var status: Int32 = 0
        while waitpid(child.pid, &status, WNOHANG) == 0 {
            if RunClockNow.nanoseconds() >= deadline {
                kill(-child.pid, SIGKILL)
                waitpid(child.pid, &status, 0)
                return outcome(false, "timeout after \(timeout)")
            }
            usleep(1000)
        }
        let line = String(decoding: output.prefix { $0 != 0x0A }, as: UTF8.self)
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        let ok = exited && code == 0
        let why = exited ? "exit \(code)" : "signal \(status & 0x7f)"
        return outcome(ok, line.isEmpty ? why : ok ? line : "\(why): \(line)")
    }

    /// The argv a probe target runs, for the kinds that run a program.
    public static func argv(for target: ProbeTarget) -> [String]? {
        switch target {
        case .dns(let name): ["getent", "ahostsv4", name]
        case .command(let c): ["/bin/sh", "-c", c]
        case .http, .tcp: nil
        }
    }
}
