import ArgumentParser
import Foundation
import Glibc
import Guest
import Reports
import Runner
import ScenarioFormat

/// `faultline run FILE|FOLDER...`: plays scenarios one after another and writes their reports;
/// more than one run (several scenarios, `--repeat`) also writes a suite report.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenarios and write their reports.",
        discussion: """
            A folder stands for every .yaml/.yml scenario in it and its subfolders. Each run folder holds report.json, \
            junit.xml, summary.md, report.html, history.jsonl and scenario.yaml; several runs also \
            write reports/suite-<time>/ (suite.json, junit.xml, summary.md, index.html). \
            The Markdown summary is appended to $GITHUB_STEP_SUMMARY when it is set.
            Exit status: 0 when every expectation holds, 1 when one fails or cannot be decided, \
            2 for an invalid scenario or a setup error, 130 when interrupted (SIGINT/SIGTERM).
            """)

    @Argument(help: "Scenario files or folders of scenarios, run one after another.")
    var files: [String]

    @Option(help: "Folder for reports.")
    var reports: String = "reports"

    @Option(help: "Override the scenario's seed (also pins every repeat to it).")
    var seed: UInt64?

    @Option(name: .customLong("repeat"), help: "Run each scenario N times; repeat k uses seed + k - 1 unless --seed pins it.")
    var repetitions: Int = 1

    @Option(help: "Also write the JUnit XML (the suite's, for several runs) to this file.")
    var junit: String?

    @Flag(help: "Print only the final summary.")
    var quiet = false

    @Flag(help: "Print every history event and progress message as one JSON object per line on stdout.")
    var json = false

    @Option(help: ArgumentHelp(
        "Which kernel plays the scenarios: host (this machine's; needs root) or guest (Faultline's user-mode Linux guest kernel: netem, cgroup v2 and x_tables without root, modprobe or KVM).",
        valueName: "host|guest"))
    var kernel: KernelChoice = .host

    @Option(name: .customLong("guest-memory"), help: "The guest kernel's memory in MiB (with --kernel guest).")
    var guestMemoryMegabytes: Int = 2048

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard !(quiet && json) else { throw ValidationError("--quiet and --json exclude each other") }
        guard guestMemoryMegabytes >= 256 else { throw ValidationError("--guest-memory must be at least 256 (MiB)") }
    }

    func run() async throws {
        // Every file is checked before anything is created.
        let loaded = ScenarioFiles.load(ScenarioFiles.expand(files))
        if loaded.failed { throw ExitCode(2) }
        if loaded.scenarios.isEmpty {
            Console.error("error: no scenario files in \(files.joined(separator: ", "))")
            throw ExitCode(2)
        }
        if kernel == .guest && GuestMarker.current == nil {
            try runInGuest()
            return
        }
        if let missing = Privilege.missing() {
            Console.error("error: \(missing)")
            throw ExitCode(2)
        }
        let style: ProgressStyle = json ? .json : quiet ? .quiet : isatty(STDERR_FILENO) == 1 ? .status : .lines
        let root = URL(fileURLWithPath: reports)
        let suiteStart = Date()
        let planned = loaded.scenarios.count * repetitions
        var results: [RunResult] = []
        var worst: Int32 = 0
        runs: for scenario in loaded.scenarios {
            for k in 0..<repetitions {
                let runSeed = seed ?? (repetitions > 1 ? scenario.seed &+ UInt64(k) : nil)
                let options = RunOptions(reportsRoot: root, style: style, seed: runSeed)
                let result = await ScenarioRunner(scenario: scenario, options: options).run()
                show(result)
                results.append(result)
                worst = max(worst, result.outcome.exitCode)
                if case .interrupted = result.outcome { break runs }
            }
        }
        let markdown: String?
        var junitSource: URL?
        if planned > 1 {
            let written = writeSuite(results, root: root, startedAt: suiteStart, planned: planned)
            markdown = written?.markdown
            junitSource = written?.junit
        } else {
            markdown = results.first?.report.map { MarkdownSummary.render($0) }
            junitSource = results.first?.reportDirectory?.appendingPathComponent(JUnitReport.fileName)
        }
        if let junit, let junitSource { copy(junitSource, to: junit) }
        if let markdown, let step = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !step.isEmpty {
            append(markdown, to: step)
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    /// `--kernel guest`: the same command, run by the same executable inside the guest kernel (the
    /// host's files are its root, so paths and the reports folder mean the same there).
    private func runInGuest() throws {
        let kernel: GuestKernel
        switch GuestKernel.locate() {
        case .success(let k): kernel = k
        case .failure(let error):
            Console.error("error: --kernel guest: \(error)")
            throw ExitCode(2)
        }
        let inner = [GuestLauncher.ownExecutable] + GuestLauncher.removingOptions(["--kernel", "--guest-memory"], from: Array(CommandLine.arguments.dropFirst()))
        let code = try GuestRun.run(inner, kernel: kernel, memoryMegabytes: guestMemoryMegabytes, verbose: !quiet && !json)
        if code != 0 { throw ExitCode(code) }
    }

    /// The run's summary: text on stdout, or one `result` object with `--json`.
    private func show(_ result: RunResult) {
        if json {
            var object: [String: Any] = ["type": "result", "runID": result.runID, "exitCode": Int(result.outcome.exitCode)]
            if let r = result.report {
                object["scenario"] = r.scenario.name
                object["verdict"] = r.verdict.rawValue
                object["complete"] = r.incompleteReason == nil
                if let why = r.skipped { object["skipped"] = why }
                if let score = r.score?.value { object["score"] = score }
            }
            if let file = result.reportFile { object["report"] = file.path }
            JSONLines.print(object)
            JSONLines.drain()
        } else {
            print(result.summary)
            if let file = result.reportFile { print("report: \(file.path)") }
        }
        if case .setupFailed(let why) = result.outcome { Console.error("error: \(why)") }
    }

    /// Writes the suite folder; returns its Markdown and JUnit file, or nil if it could not.
    private func writeSuite(_ results: [RunResult], root: URL, startedAt: Date, planned: Int) -> (markdown: String, junit: URL)? {
        let dir = SuiteFolder.directory(reportsRoot: root, startedAt: startedAt)
        let runs = results.compactMap { r in r.report.map { ($0, relative(r.reportDirectory, from: dir)) } }
        let suite = SuiteReport.build(runs: runs.map { (report: $0.0, directory: $0.1) }, startedAt: startedAt, plannedRuns: planned)
        do {
            try SuiteFolder.write(suite, reports: runs.map(\.0), to: dir)
        } catch {
            Console.error("error: writing the suite report: \(error)")
            return nil
        }
        let line = "suite: \(suite.verdict.label) — \(suite.verdictSummary), score \(suite.score.description)\nsuite report: \(dir.path)"
        if json { Console.error(line) } else { print(line) }
        return (SuiteSummary.markdown(suite, reports: runs.map(\.0)), dir.appendingPathComponent(JUnitReport.fileName))
    }

    /// `../checkout/20261121-…`: a run folder seen from the suite folder (both under the reports root).
    private func relative(_ run: URL?, from suite: URL) -> String {
        guard let run else { return "" }
        let base = suite.deletingLastPathComponent().standardizedFileURL.path
        let path = run.standardizedFileURL.path
        return path.hasPrefix(base + "/") ? "../" + path.dropFirst(base.count + 1) : path
    }

    private func copy(_ source: URL, to destination: String) {
        do {
            try Data(contentsOf: source).write(to: URL(fileURLWithPath: destination), options: .atomic)
        } catch {
            Console.error("error: writing --junit \(destination): \(error)")
        }
    }

    private func append(_ text: String, to path: String) {
        guard let handle = FileHandle(forWritingAtPath: path)
            ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil)
        else {
            Console.error("error: cannot append to GITHUB_STEP_SUMMARY \(path)")
            return
        }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data((text + "\n").utf8))
    }
}

/// What the run needs from the machine that it does not have.
/// `--kernel`: where scenarios are played.
enum KernelChoice: String, ExpressibleByArgument, CaseIterable {
    case host, guest

}

enum Privilege {
    static func missing() -> String? {
        guard getuid() == 0 else {
            return "faultline run needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to create network namespaces; run it as root or with sudo, "
                + "or without root in Faultline's guest kernel: faultline run --kernel guest …"
        }
        return nil
    }
}
