import ArgumentParser
import Foundation
import Glibc
import Runner
import ScenarioFormat

/// `faultline run FILE...`: plays scenarios and writes their reports.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenarios and write their reports.",
        discussion: """
            Exit status: 0 when every expectation holds, 1 when one fails or cannot be decided, \
            2 for an invalid scenario or a setup error, 130 when interrupted (SIGINT/SIGTERM).
            """)

    @Argument(help: "Scenario files to run, one after another.")
    var files: [String]

    @Option(help: "Folder for reports.")
    var reports: String = "reports"

    @Option(help: "Override the scenario's seed.")
    var seed: UInt64?

    @Flag(help: "Print only the final summary.")
    var quiet = false

    func run() async throws {
        // Every file is checked before anything is created.
        let loaded = ScenarioFiles.load(files)
        if loaded.failed { throw ExitCode(2) }
        if let missing = Privilege.missing() {
            Console.error("error: \(missing)")
            throw ExitCode(2)
        }
        var worst: Int32 = 0
        for scenario in loaded.scenarios {
            let options = RunOptions(
                reportsRoot: URL(fileURLWithPath: reports), progress: !quiet, seed: seed)
            let result = await ScenarioRunner(scenario: scenario, options: options).run()
            print(result.summary)
            if let file = result.reportFile { print("report: \(file.path)") }
            if case .setupFailed(let why) = result.outcome { Console.error("error: \(why)") }
            worst = max(worst, result.outcome.exitCode)
            if case .interrupted = result.outcome { break }
        }
        if worst != 0 { throw ExitCode(worst) }
    }
}

/// What the run needs from the machine that it does not have.
enum Privilege {
    static func missing() -> String? {
        guard getuid() == 0 else {
            return "faultline run needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to create network namespaces; run it with sudo"
        }
        return nil
    }
}
