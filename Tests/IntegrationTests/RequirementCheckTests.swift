import Foundation
import Runner
import ScenarioFormat
import Testing

/// `requires:` against this machine: programs on a search path, files by absolute path.
struct RequirementCheckTests {
    static let path = "/fl-no-such-dir:/bin:/usr/bin"

    @Test func presentProgramsAndFilesAreMet() {
        let present = [
            Requirement(.command("sh"), package: "dash"), Requirement(.command("/bin/sh"), package: "dash"),
            Requirement(.file("/etc/hostname"), package: "base-files"),
        ]
        #expect(RequirementCheck.missing(present, path: Self.path).isEmpty)
    }

    @Test func missingOnesAreNamedWithTheirPackages() {
        let needs = [
            Requirement(.command("sh"), package: "dash"),
            Requirement(.command("fl-no-such-tool"), package: "fl-tools"),
            Requirement(.file("/fl-no-such-file"), package: "fl-tools"),
            Requirement(.command("/bin/fl-no-such-tool"), package: "fl-other"),
        ]
        #expect(RequirementCheck.missing(needs, path: Self.path).map(\.package) == ["fl-tools", "fl-tools", "fl-other"])
        let scenario = Scenario(name: "x", duration: .seconds(1), hosts: [Host(name: "a")], requirements: needs)
        #expect(RequirementCheck.skipReason(for: scenario, path: Self.path)
            == "needs command fl-no-such-tool (package fl-tools), file /fl-no-such-file (package fl-tools), "
            + "command /bin/fl-no-such-tool (package fl-other), not found; install: apt-get install fl-tools fl-other")
    }

    @Test func aCommandIsLookedUpOnlyOnTheGivenPath() {
        #expect(RequirementCheck.missing([Requirement(.command("sh"), package: "dash")], path: "/fl-no-such-dir").count == 1)
        #expect(RequirementCheck.skipReason(for: Scenario(name: "x", duration: .seconds(1), hosts: [Host(name: "a")]), path: "") == nil)
    }

    /// Python modules are asked of the `python3` on the path — the interpreter hosts' programs get.
    @Test func pythonModulesAreFoundByThePythonOnThePath() {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let present = Requirement(.python("json"), package: "python3", installer: .apt)
        let dotted = Requirement(.python("email.mime"), package: "python3")
        let absent = Requirement(.python("fl_no_such_module"), package: "fl-no-such-dist", installer: .pip)
        let absentChild = Requirement(.python("json.fl_no_such_child"), package: "fl-no-such-dist", installer: .pip)
        #expect(RequirementCheck.missing([present, dotted, absent, absentChild], path: path) == [absent, absentChild])
        // Without python3 on the path nothing can be imported.
        #expect(RequirementCheck.missing([present], path: "/fl-no-such-dir") == [present])
        let scenario = Scenario(name: "x", duration: .seconds(1), hosts: [Host(name: "a")], requirements: [
            Requirement(.command("fl-no-such-tool"), package: "fl-tools"), absent,
        ])
        #expect(RequirementCheck.skipReason(for: scenario, path: path)
            == "needs command fl-no-such-tool (package fl-tools), python module fl_no_such_module (pip package fl-no-such-dist), "
            + "not found; install: apt-get install fl-tools; python3 -m pip install fl-no-such-dist")
    }
}
