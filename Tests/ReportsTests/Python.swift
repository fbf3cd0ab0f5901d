import Foundation

/// Runs Python 3 with a script, for tests that check Faultline's outputs with real consumers
/// (`jsonschema`, `junitparser`). Tests are enabled only when the module is importable.
///
/// The interpreter is Debian's /usr/bin/python3, for which `scripts/setup.sh test` installs
/// python3-jsonschema and python3-junitparser; not whatever `python3` is first on PATH.
enum Python {
    static let interpreter = "/usr/bin/python3"

    /// Whether the interpreter can import `module` (installed by scripts/setup.sh test).
    static func has(_ module: String) -> Bool {
        (try? run("import \(module)", arguments: []))?.status == 0
    }

    /// `/usr/bin/python3 -c script arguments...`.
    static func run(_ script: String, arguments: [String]) throws -> ToolOutput {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: interpreter)
        p.arguments = ["-c", script] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read before waiting so a full pipe cannot stall the child.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return ToolOutput(
            status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    /// The repository's root, from this file's place in it.
    static func repositoryRoot(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// What a spawned tool printed and how it ended.
struct ToolOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}
