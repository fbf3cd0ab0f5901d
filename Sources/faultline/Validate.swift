import ArgumentParser
import Foundation
import ScenarioFormat

/// `faultline validate FILE...`: checks scenarios without running them.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scenario files without running them (exit 0 when valid, 2 otherwise).")

    @Argument(help: "Scenario files or folders of scenarios to check.")
    var files: [String]

    func run() throws {
        let loaded = ScenarioFiles.load(ScenarioFiles.expand(files))
        if loaded.failed {
            throw ExitCode(2)
        }
        for s in loaded.scenarios {
            print("\(s.file ?? s.name): ok (\(s.hosts.count) hosts, \(s.faults.count) faults, \(s.expectations.count) expectations)")
        }
    }
}

/// Reads scenario files, printing every problem of every file (warnings too) to stderr.
enum ScenarioFiles {
    /// Each folder becomes the `.yaml`/`.yml` files in it and in its subfolders, sorted by path
    /// (so `scenarios/` is the examples and then `scenarios/library/`); files stay as given.
    static func expand(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
                let names = try? FileManager.default.contentsOfDirectory(atPath: path)
            else { return [path] }
            let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            let folders = names.sorted().map { (path as NSString).appendingPathComponent($0) }.filter {
                var folder: ObjCBool = false
                return !($0 as NSString).lastPathComponent.hasPrefix(".")
                    && FileManager.default.fileExists(atPath: $0, isDirectory: &folder) && folder.boolValue
            }
            return files + expand(folders)
        }
    }

    static func load(_ files: [String]) -> (scenarios: [Scenario], failed: Bool) {
        var scenarios: [Scenario] = []
        var failed = false
        for file in files {
            let outcome = ScenarioReader.inspect(file: file)
            if !outcome.problems.isEmpty {
                Console.error(ScenarioProblems(outcome.problems).description)
            }
            if let s = outcome.scenario, outcome.errors.isEmpty {
                scenarios.append(s)
            } else {
                failed = true
            }
        }
        return (scenarios, failed)
    }
}

enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
