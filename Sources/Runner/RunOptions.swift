import Foundation
import Glibc
import Reports

/// How `faultline run` runs a scenario.
public struct RunOptions: Sendable {
    /// Where report folders go (`reports/<scenario>/<time>-<run>/`).
    public var reportsRoot: URL
    /// Print progress while the run goes (false: only the summary at the end).
    public var progress: Bool
    /// How progress is shown when ``progress`` is on.
    public var style: ProgressStyle
    /// Overrides the scenario's seed.
    public var seed: UInt64?
    /// The CPU stress-worker program (`faultline _burn`); nil: this executable's own `_burn`.
    public var burner: [String]?

    public init(
        reportsRoot: URL, progress: Bool = true, style: ProgressStyle = .lines, seed: UInt64? = nil, burner: [String]? = nil
    ) {
        self.reportsRoot = reportsRoot
        self.progress = progress && style != .quiet
        self.style = style
        self.seed = seed
        self.burner = burner
    }

    /// `[<this executable>, "_burn"]`, from `/proc/self/exe`.
    public static var ownBurner: [String] {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return [] }
        return [String(decoding: buf[..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self), "_burn"]
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
    /// Not run: the machine lacks something the scenario's `requires:` names (the reason says what).
    /// Exits 0 like a skipped test, and every report says `skipped` with the reason.
    case skipped(String)

    public var exitCode: Int32 {
        switch self {
        case .passed: 0
        case .failed: 1
        case .setupFailed: 2
        case .interrupted: 130
        case .skipped: 0
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
    /// The report as written (nil when the report folder could not even be created).
    public var report: RunReport?

    public init(
        outcome: RunOutcome, runID: String, reportDirectory: URL?, reportFile: URL?, summary: String, report: RunReport? = nil
    ) {
        self.outcome = outcome
        self.runID = runID
        self.reportDirectory = reportDirectory
        self.reportFile = reportFile
        self.summary = summary
        self.report = report
    }
}
