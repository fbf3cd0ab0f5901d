import Foundation
import Runner
import ScenarioFormat
import Testing

/// `requires:` against this machine: programs on a search path, files by absolute path, Python
/// modules asked of their interpreter, and install lines that work on the machine at hand.
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

    /// Without an `interpreter`, Python modules are asked of the `python3` on the path — the
    /// interpreter hosts' programs get when they run `python3`.
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
        let reason = RequirementCheck.skipReason(for: scenario, path: path) ?? ""
        #expect(reason.hasPrefix("needs command fl-no-such-tool (package fl-tools), python module fl_no_such_module (pip package fl-no-such-dist), "
            + "not found; install: apt-get install fl-tools"), "\(reason)")
        // pip for that python3, unless it is a system one that refuses it (PEP 668): then a venv.
        #expect(reason.contains("; python3 -m pip install fl-no-such-dist") || reason.contains(
            "python3 -m venv --system-site-packages .venv && .venv/bin/python3 -m pip install fl-no-such-dist"), "\(reason)")
    }

    /// A scratch folder holding `scenario/`, removed after `body`.
    func withFolder(_ body: (URL) throws -> Void) throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fl-req-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("scenario"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(dir)
    }

    /// A venv interpreter named relative to the scenario's folder: while the venv is missing, the
    /// install line creates it (with Debian's python3-venv first when `python3` cannot make one);
    /// once it exists, the module is asked of it, and the line is its own pip.
    @Test func aPipPackageForAVenvSaysHowToCreateThenFillIt() throws {
        try withFolder { dir in
            let venv = dir.appendingPathComponent("venv").path
            let needs = [
                Requirement(.python("json"), package: "python3", interpreter: "../venv/bin/python3"),
                Requirement(.python("fl_no_such_module"), package: "fl-no-such-dist", installer: .pip, interpreter: "../venv/bin/python3"),
            ]
            let scenario = Scenario(name: "x", duration: .seconds(1), hosts: [Host(name: "a")],
                                    file: dir.appendingPathComponent("scenario/x.yaml").path, requirements: needs)
            // No python3 on this path, so the venv needs python3-venv (and python3) first.
            #expect(RequirementCheck.skipReason(for: scenario, path: "/fl-no-such-dir")
                == "needs python module json of ../venv/bin/python3 (package python3), "
                + "python module fl_no_such_module of ../venv/bin/python3 (pip package fl-no-such-dist), not found; "
                + "install: apt-get install python3 python3-venv; "
                + "python3 -m venv --system-site-packages \(venv) && \(venv)/bin/python3 -m pip install fl-no-such-dist")
            // Made as the line says (without pip, to stay offline and quick): now only the PyPI package is missing.
            let made = try ExternalCommandRun.run(LibraryPython.system, ["-m", "venv", "--system-site-packages", "--without-pip", venv])
            #expect(made == 0)
            #expect(RequirementCheck.missing(needs, path: "/fl-no-such-dir", directory: dir.appendingPathComponent("scenario").path)
                == [needs[1]])
            #expect(RequirementCheck.skipReason(for: scenario, path: "/fl-no-such-dir")
                == "needs python module fl_no_such_module of ../venv/bin/python3 (pip package fl-no-such-dist), not found; "
                + "install: \(venv)/bin/python3 -m pip install fl-no-such-dist")
        }
    }

    /// Debian's /usr/bin/python3 is externally managed (PEP 668): `pip install` is refused there, so
    /// the install line says to use a venv and run the client with it.
    @Test(.enabled(if: RequirementCheckTests.systemPythonIsExternallyManaged, "needs Debian's /usr/bin/python3 (PEP 668)"))
    func aPipPackageForTheSystemPythonGoesIntoAVenv() {
        let scenario = Scenario(name: "x", duration: .seconds(1), hosts: [Host(name: "a")], requirements: [
            Requirement(.python("fl_no_such_module"), package: "fl-no-such-dist", installer: .pip, interpreter: "/usr/bin/python3"),
        ])
        let reason = RequirementCheck.skipReason(for: scenario, path: "/usr/bin:/bin") ?? ""
        #expect(reason.hasPrefix("needs python module fl_no_such_module of /usr/bin/python3 (pip package fl-no-such-dist), not found; install: "))
        #expect(reason.contains("python3 -m venv --system-site-packages .venv && .venv/bin/python3 -m pip install fl-no-such-dist "
            + "(/usr/bin/python3 is externally managed, PEP 668: pip installs into a venv; "
            + "run the client with .venv/bin/python3 and name it as the requirement's interpreter)"), "\(reason)")
        #expect(!reason.contains("/usr/bin/python3 -m pip"), "\(reason)")
    }

    static let systemPythonIsExternallyManaged = (try? ExternalCommandRun.run(LibraryPython.system, ["-c",
        "import os, sys, sysconfig; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')) else 1)",
    ])) == 0
}

/// Runs a program to its end, its output discarded: its exit status.
enum ExternalCommandRun {
    static func run(_ program: String, _ arguments: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
