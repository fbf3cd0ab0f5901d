import Foundation

/// How `faultline run` runs a scenario.
public struct RunOptions: Sendable {
    /// Where report folders go (`reports/<scenario>/<time>-<run>/`).
    public var reportsRoot: URL
    /// Print progress lines while the run goes.
    public var progress: Bool
    /// Overrides the scenario's seed.
    public var seed: UInt64?

    public init(reportsRoot: URL, progress: Bool = true, seed: UInt64? = nil) {
        self.reportsRoot = reportsRoot
        self.progress = progress
        self.seed = seed
    }
}

/// How a run ended, and the exit code the CLI returns for it.
public enum RunOutcome: Sendable, Equatable {
    /// Every expectation held.
    case passed
    /// At least one expectation failed or could not be decided.
    case failed
    /// The run could not start or complete (setup error); the message names what.
    case setupFailed(String)
    /// SIGINT or SIGTERM.
    case interrupted(signal: String)

    public var exitCode: Int32 {
        switch self {
        case .passed: 0
        case .failed: 1
        case .setupFailed: 2
        case .interrupted: 130
        }
    }
}

/// The result of one run: its outcome and where its report is.
public struct RunResult: Sendable {
    public var outcome: RunOutcome
    public var runID: String
    public var reportDirectory: URL?
    public var reportFile: URL?
    /// The plain-text summary printed at the end.
    public var summary: String
}
