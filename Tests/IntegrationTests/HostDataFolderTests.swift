import Foundation
import Testing

/// `FAULTLINE_DATA`: every host program gets a folder of its own in the run's working folder, and
/// the folder goes with the run.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct HostDataFolderTests {
    @Test func eachHostHasItsOwnDataFolderRemovedWithTheRun() throws {
        // The timeline starts once both hosts have printed their lines (`ready: log:`), so a slow
        // start on a loaded machine delays t = 0 instead of pushing the lines out of the run's
        // window; a wrote its state, or the run never became ready (a setup error, exit 2).
        let dir = try RunCommandTests.workspace([
            "data.yaml": """
                scenario: data-folder
                duration: 1s
                hosts:
                  a:
                    run: "echo \\"folder $FAULTLINE_DATA\\" && touch \\"$FAULTLINE_DATA/state\\" && echo written && sleep 30"
                    ready: "log:^written$"
                  b: { run: "echo \\"folder $FAULTLINE_DATA\\" && sleep 30", ready: "log:^folder " }
                expect:
                  - name: a wrote its state and still runs
                    process: { host: a, running: true }
                """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try RunCommandTests.faultline(["run", "data.yaml", "--reports", "reports"], in: dir)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let hosts = try #require(try RunCommandTests.report(in: dir)["hosts"] as? [[String: Any]])
        let folders = hosts.flatMap { ($0["lastLines"] as? [String]) ?? [] }.compactMap { line -> String? in
            line.hasPrefix("folder ") ? String(line.dropFirst("folder ".count)) : nil
        }
        #expect(folders.count == 2, "\(run.stdout)")
        let a = hosts.first { $0["name"] as? String == "a" }
        #expect((a?["lastLines"] as? [String])?.contains("written") == true, "\(run.stdout)")
        #expect(Set(folders.map { URL(fileURLWithPath: $0).lastPathComponent }) == ["a", "b"])
        for folder in folders {
            #expect(folder.hasSuffix("/data/a") || folder.hasSuffix("/data/b"))
            #expect(!FileManager.default.fileExists(atPath: folder), "\(folder) outlived the run")
        }
    }
}
