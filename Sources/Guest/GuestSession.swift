import Foundation
import Glibc

/// One guest's folder on the host: the job, the status, the signal to forward, the keeper's pid
/// and the guest kernel's own run folder (`uml/`: its pid file and management-console socket).
///
/// Sessions live under ``root`` — `/run/faultline/guests` for root, else the user's runtime
/// folder — so that `faultline cleanup` finds a guest whose launcher was SIGKILLed.
public struct GuestSession: Sendable, Equatable {
    public let id: String
    public let path: String

    var jobFile: String { path + "/job.json" }
    var statusFile: String { path + "/status.json" }
    /// The signal the launcher received (`INT`, `TERM`), for the init to forward.
    var signalFile: String { path + "/signal" }
    /// The keeper's pid (for a person looking at a live session; cleanup goes by the launcher).
    var keeperFile: String { path + "/keeper.pid" }
    /// The launcher's pid and start time (`pid ticks`), written when the folder is made.
    var launcherFile: String { path + "/launcher" }
    /// `uml_dir=`: the guest kernel writes `<id>/pid` and `<id>/mconsole` here.
    var kernelFolder: String { path + "/uml" }
    var consoleSocket: String { "\(kernelFolder)/\(id)/mconsole" }

    init(id: String, path: String) {
        self.id = id
        self.path = path
    }

    /// Opens the session a guest's init was given.
    public static func attach(path: String) -> GuestSession {
        GuestSession(id: (path as NSString).lastPathComponent, path: path)
    }

    /// Where this user's sessions live.
    public static var root: String {
        if getuid() == 0 { return "/run/faultline/guests" }
        if let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], !runtime.isEmpty, access(runtime, W_OK) == 0 {
            return runtime + "/faultline-guests"
        }
        return "/tmp/faultline-guests-\(getuid())"
    }

    /// A new, empty session folder (mode 0700, owned by this user).
    static func create() throws -> GuestSession {
        let root = Self.root
        try ensurePrivateFolder(root)
        let id = "g" + String(format: "%06x", UInt32.random(in: 0..<0x100_0000))
        let path = "\(root)/\(id)"
        guard mkdir(path, 0o700) == 0 else { throw GuestError.systemCall("creating the guest session folder", path) }
        let session = GuestSession(id: id, path: path)
        try "\(getpid()) \(startTicks(of: getpid()) ?? 0)".write(toFile: session.launcherFile, atomically: true, encoding: .utf8)
        guard mkdir(path + "/uml", 0o700) == 0 else { throw GuestError.systemCall("creating the guest kernel's folder", path + "/uml") }
        return session
    }

    /// `path` exists as a folder of this user's, not writable by others (it may be in /tmp).
    private static func ensurePrivateFolder(_ path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if getuid() == 0 { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw GuestError.systemCall("creating the guest sessions folder", path) }
        var st = stat()
        guard lstat(path, &st) == 0 else { throw GuestError.systemCall("checking the guest sessions folder", path) }
        guard (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == getuid(), st.st_mode & 0o022 == 0 else {
            throw GuestError.systemCall("using the guest sessions folder (not a private folder of this user)", path, errno: EPERM)
        }
    }

    func write<T: Encodable>(_ value: T, to file: String) throws {
        let data = try JSONEncoder().encode(value)
        try data.write(to: URL(fileURLWithPath: file), options: .atomic)
    }

    func read<T: Decodable>(_ type: T.Type, from file: String) -> T? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The pids of this session's guest kernel: every process whose command line names the
    /// session's kernel folder (`uml_dir=`), which only this session's kernel and its helper
    /// processes carry.
    func kernelProcesses() -> [pid_t] {
        let marker = "uml_dir=\(kernelFolder)"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == marker }
        }
    }

    /// Whether the launcher that made this session still runs (the same process: pid and start
    /// time).
    var isLive: Bool {
        if let text = try? String(contentsOfFile: launcherFile, encoding: .utf8) {
            let fields = text.split(separator: " ")
            if fields.count == 2, let pid = pid_t(fields[0]), isRunning(pid), startTicks(of: pid) == UInt64(fields[1]) { return true }
        } else if let made = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  Date().timeIntervalSince(made) < 10 {
            return true  // being made this instant: the launcher file comes right after the folder
        }
        // Without its launcher a guest has no one to report to: whatever of its kernel still
        // runs (the keeper may be ending it this instant) is the cleanup's to end.
        return false
    }

    /// Sessions of this user whose launcher is gone: what `faultline cleanup` reaps.
    public static func abandoned() -> [GuestSession] {
        let root = Self.root
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return ids.map { GuestSession(id: $0, path: "\(root)/\($0)") }.filter { !$0.isLive }
    }

    /// Ends every process of an abandoned session's guest kernel (SIGKILL, by pid) and removes
    /// its folder; returns how many processes it ended.
    public func reap() -> Int {
        let pids = kernelProcesses()
        for pid in pids { kill(pid, SIGKILL) }
        remove()
        return pids.count
    }
}

/// Whether `pid` exists and is not a zombie (a killed launcher's keeper may wait unreaped).
func isRunning(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 || errno == EPERM,
          let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
}

/// A process's start time (field 22 of /proc/PID/stat), so a reused pid is not taken for it.
func startTicks(of pid: pid_t) -> UInt64? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 19 ? UInt64(fields[19]) : nil
}
