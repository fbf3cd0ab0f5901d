import FaultlineCore
import Foundation
import Glibc
import LinuxSystem
import RunHistory
import ScenarioFormat
import Synchronization

/// A host's program (`run:`), started with `sh -c` in the host's namespaces (and its cgroup, when
/// given). Every output line and its exit land in the history; at teardown its whole process group
/// ends (TERM, then KILL). One instance is one start: a restart makes a new `HostProcess`.
public final class HostProcess: Sendable {
    public let host: String
    public let command: String
    public let pid: pid_t
    private let history: History
    private let exitStatus = Mutex<ExitStatus?>(nil)
    private let exited = DispatchSemaphore(value: 0)
    private let outputDone = DispatchGroup()

    /// The longest output line kept in the history; longer lines are cut with a marker.
    public static let maxLineLength = 8192

    public init(
        host: String, command: String, context: HostContext, directory: String?,
        env: [String: String], history: History, cgroup: HostCgroup? = nil
    ) throws {
        self.host = host
        self.command = command
        self.history = history
        let child = try context.spawn(["/bin/sh", "-c", command], env: env, directory: directory, cgroup: cgroup)
        self.pid = child.pid
        history.record(.processStarted(host: host, pid: child.pid, command: command))
        if let out = child.stdout { startReader(fd: out, stream: .stdout) }
        if let err = child.stderr { startReader(fd: err, stream: .stderr) }
        let t = Thread { [self] in
            let status = Spawn.wait(pid)
            // Let the readers drain what the process wrote before it ended.
            _ = outputDone.wait(timeout: .now() + 2)
            exitStatus.withLock { $0 = status }
            let s: ExitStatus = switch status {
            case .exited(let c): .exited(c)
            case .signaled(let sig): .signaled(sig)
            }
            history.record(.processExited(host: host, pid: pid, status: s))
            exited.signal()
        }
        t.name = "wait:\(host)"
        t.start()
    }

    /// How the process ended, or nil while it runs.
    public var status: ExitStatus? {
        exitStatus.withLock { $0 }
    }

    /// Waits up to `timeout` for the process to end; true if it has.
    public func waitForExit(timeout: TimeSpan) -> Bool {
        if status != nil { return true }
        guard exited.wait(timeout: .now() + timeout.seconds) == .success else { return false }
        exited.signal()
        return true
    }

    /// Ends the process group: SIGTERM, then SIGKILL after `grace`. Returns once the leader is reaped.
    public func terminate(grace: TimeSpan = .seconds(2)) {
        guard status == nil else { return }
        // A paused group would never see TERM.
        kill(-pid, SIGCONT)
        kill(-pid, SIGTERM)
        if exited.wait(timeout: .now() + grace.seconds) == .timedOut {
            kill(-pid, SIGKILL)
            exited.wait()
        }
        exited.signal()
        // Children that left the group but still live in the host are ended by the namespace sweep.
        kill(-pid, SIGKILL)
    }

    private func startReader(fd: Int32, stream: StdStream) {
        outputDone.enter()
        let t = Thread { [self] in
            defer {
                close(fd)
                outputDone.leave()
            }
            var pending = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending.append(contentsOf: buffer[0..<n])
                while let nl = pending.firstIndex(of: 0x0A) {
                    emit(pending[..<nl], stream)
                    pending.removeSubrange(...nl)
                }
                if pending.count > Self.maxLineLength {
                    emit(pending[...], stream)
                    pending.removeAll()
                }
            }
            if !pending.isEmpty { emit(pending[...], stream) }
        }
        t.name = "\(stream.rawValue):\(host)"
        t.start()
    }

    private func emit(_ bytes: ArraySlice<UInt8>, _ stream: StdStream) {
        var line = String(decoding: bytes, as: UTF8.self)
        if line.hasSuffix("\r") { line.removeLast() }
        if line.utf8.count > Self.maxLineLength {
            line = String(line.prefix(Self.maxLineLength)) + " …[cut]"
        }
        history.record(.processOutput(host: host, stream: stream, line: line))
    }
}
