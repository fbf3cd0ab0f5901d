import Foundation

/// The Python interpreters the library's clients run with, as `scripts/setup.sh test` prepares
/// them: Debian's `/usr/bin/python3` with Debian's packages, and the project's `.venv` for what
/// Debian lacks (py-consul). Never whatever `python3` is first on PATH: a pyenv or conda one has
/// other modules, and the scenarios name their interpreter.
enum LibraryPython {
    static let system = "/usr/bin/python3"
    static let venv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".venv/bin/python3").path

    /// Whether `python` exists and imports every one of `modules`.
    static func imports(_ python: String, _ modules: [String]) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", modules.map { "import \($0)" }.joined(separator: "; ")]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// requests and urllib3 for the system interpreter (Debian's python3-requests, python3-urllib3).
    static let hasRequests = imports(system, ["requests", "urllib3"])
    /// py-consul in the project's venv.
    static let hasPyConsul = imports(venv, ["consul"])
}
