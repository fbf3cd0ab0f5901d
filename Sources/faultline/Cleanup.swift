import ArgumentParser
import Foundation
import Testbed

/// `faultline cleanup`: removes what dead runs left behind.
struct Cleanup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove the namespaces, rules and processes of runs that died (e.g. by SIGKILL).")

    @Flag(help: "Also remove every fl- namespace that no live run claims.")
    var all = false

    func run() throws {
        if let missing = Privilege.missing() {
            Console.error("error: \(missing)")
            throw ExitCode(2)
        }
        let reports = Reaper.reapDeadRuns(orphans: all)
        if reports.isEmpty {
            print("nothing to clean up")
            return
        }
        for r in reports { print(r) }
        if reports.contains(where: { !$0.errors.isEmpty }) { throw ExitCode(1) }
    }
}
