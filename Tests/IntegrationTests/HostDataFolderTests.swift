import Foundation
import Testing

/// `FAULTLINE_DATA`: every host program gets a folder of its own in the run's working folder, and
/// the folder goes with the run.
@Suite(.enabled(if: TopologyFixture.isRoot, "needs root: creates network namespaces"))
struct HostDataFolderTests {
    @Test func eachHostHasItsOwnDataFolderRemovedWithTheRun() throws {
        let dir = try RunCommandTests.workspace([
            "data.yaml": """
                scenario: data-folder
                duration: 1s
                hosts:
                  a: { run: "echo \\"folder $FAULTLINE_DATA\\" && touch \\"$FAULTLINE_DATA/state\\" && echo written && sleep 30" }
                  b: { run: "echo \\"folder $FAULTLINE_DATA\\" && sleep 30" }
                expect:
                  - name: a writes its state
                    process: { host: a, output: "^written$" }
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
        #expect(Set(folders.map { URL(fileURLWithPath: $0).lastPathComponent }) == ["a", "b"])
        for folder in folders {
            #expect(folder.hasSuffix("/data/a") || folder.hasSuffix("/data/b"))
            #expect(!FileManager.default.fileExists(atPath: folder), "\(folder) outlived the run")
        }
    }
}
