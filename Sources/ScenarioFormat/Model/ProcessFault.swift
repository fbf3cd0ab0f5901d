import FaultlineCore
/// A fault on a host's program (`process:` in a scenario): freeze it, kill it, or restart it.
public struct ProcessFault: Codable, Sendable, Equatable {
    public var host: String
    public var action: ProcessAction

    public init(host: String, action: ProcessAction) {
        self.host = host
        self.action = action
    }
}

/// What a process fault does to the host's process group.
public enum ProcessAction: Codable, Sendable, Equatable {
    /// SIGSTOP at the start, SIGCONT at the end: a leader that freezes and looks dead to its peers.
    case pause
    /// Sends `signal`; with `restartAfter`, starts the host's `run` command again that long after.
    case kill(signal: SignalName, restartAfter: TimeSpan?)
    /// SIGTERM (SIGKILL if it lingers), then starts the host's `run` command again at once.
    case restart

    /// The action's key in the scenario: `pause`, `kill`, `restart`.
    public var keyword: String {
        switch self {
        case .pause: "pause"
        case .kill: "kill"
        case .restart: "restart"
        }
    }

    public static let keywords = ["pause", "kill", "restart"]
}

/// A signal a `kill` action may send, by its name without `SIG` (Linux numbering).
public enum SignalName: String, Codable, Sendable, CaseIterable {
    case HUP, INT, QUIT, ABRT, KILL, USR1, SEGV, USR2, PIPE, ALRM, TERM

    /// The signal's number on Linux.
    public var number: Int32 {
        switch self {
        case .HUP: 1
        case .INT: 2
        case .QUIT: 3
        case .ABRT: 6
        case .KILL: 9
        case .USR1: 10
        case .SEGV: 11
        case .USR2: 12
        case .PIPE: 13
        case .ALRM: 14
        case .TERM: 15
        }
    }

    /// Parses `KILL` or `SIGKILL`; nil for anything else.
    public init?(parsing text: String) {
        let name = text.hasPrefix("SIG") ? String(text.dropFirst(3)) : text
        self.init(rawValue: name)
    }
}
