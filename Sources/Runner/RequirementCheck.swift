import Foundation
import Glibc
import LinuxSystem
import Netlink
import ScenarioFormat

/// Which of a scenario's `requires:` this machine lacks, checked before a run builds anything.
public enum RequirementCheck {
    /// The requirements not met: a command not found as an executable on `path` (a `:`-separated
    /// search path, or the command itself when it contains a `/`), a file that does not exist, or a
    /// Python module its interpreter cannot find. A relative `interpreter` is taken from `directory`
    /// (the scenario's folder, where hosts' programs start), else from the current one.
    public static func missing(_ requirements: [Requirement], path: String, directory: String? = nil) -> [Requirement] {
        requirements.filter { !isMet($0, path: path, directory: directory) }
    }

    /// Why the scenario must be skipped, naming each missing thing and how to install it on this
    /// machine; nil when every requirement is met.
    ///
    /// `needs command etcd (package etcd-server), not found; install: apt-get install etcd-server`
    ///
    /// A PyPI package is installed with its interpreter's pip, into a virtual environment when the
    /// interpreter is a system one that pip refuses (PEP 668, "externally-managed-environment"):
    /// `python3 -m venv --system-site-packages /abs/.venv && /abs/.venv/bin/python3 -m pip install py-consul`.
    public static func skipReason(for scenario: Scenario, path: String) -> String? {
        let directory = scenario.file.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
        let absent = missing(scenario.requirements, path: path, directory: directory)
        guard !absent.isEmpty else { return nil }
        var aptPackages: [String] = []
        var pipCommands: [String] = []
        for r in absent where r.installer == .apt && !aptPackages.contains(r.package) { aptPackages.append(r.package) }
        var interpreters: [String?] = []
        for r in absent where r.installer == .pip && !interpreters.contains(r.interpreter) { interpreters.append(r.interpreter) }
        for interpreter in interpreters {
            var packages: [String] = []
            for r in absent where r.installer == .pip && r.interpreter == interpreter && !packages.contains(r.package) {
                packages.append(r.package)
            }
            let install = pipInstall(packages, interpreter: interpreter, path: path, directory: directory)
            for p in install.aptPackages where !aptPackages.contains(p) { aptPackages.append(p) }
            pipCommands.append(install.command)
        }
        let commands = (aptPackages.isEmpty ? [] : ["apt-get install \(aptPackages.joined(separator: " "))"]) + pipCommands
        return "needs \(absent.map(\.description).joined(separator: ", ")), not found; install: \(commands.joined(separator: "; "))"
    }

    static func isMet(_ requirement: Requirement, path: String, directory: String?) -> Bool {
        switch requirement.need {
        case .file(let file):
            return access(file, F_OK) == 0
        case .command(let name):
            return ExternalCommand.locate(name, searching: path) != nil
        case .python(let module):
            guard let python = locateInterpreter(requirement.interpreter, path: path, directory: directory) else { return false }
            return ask(python, "import importlib.util, sys\ntry:\n    found = importlib.util.find_spec(sys.argv[1]) is not None\n"
                + "except Exception:\n    found = False\nsys.exit(0 if found else 1)", module, path: path)
        }
    }

    /// The interpreter a `python` requirement is asked of, as an executable path: `interpreter`
    /// (relative to `directory` when it has a `/` and does not start with one, else looked up on
    /// `path`), or `python3` on `path`; nil when there is none.
    static func locateInterpreter(_ interpreter: String?, path: String, directory: String?) -> String? {
        let name = interpreter ?? "python3"
        guard name.contains("/") else { return ExternalCommand.locate(name, searching: path) }
        let file = resolve(name, directory: directory)
        return access(file, X_OK) == 0 ? file : nil
    }

    /// `name` as an absolute, standardized path (`../../.venv/bin/python3` from the scenario's folder).
    static func resolve(_ name: String, directory: String?) -> String {
        guard !name.hasPrefix("/") else { return name }
        let base = URL(fileURLWithPath: directory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        return URL(fileURLWithPath: name, relativeTo: base).standardizedFileURL.path
    }

    /// The command that installs `packages` from PyPI for `interpreter`, and the Debian packages it needs first.
    ///
    /// - an interpreter that pip may install into (a virtual environment's, or one not externally
    ///   managed): `INTERPRETER -m pip install PACKAGES`;
    /// - a virtual environment's interpreter that does not exist yet (`DIR/bin/python3`): create it,
    ///   then install (needing Debian's python3-venv where `python3` lacks `ensurepip`);
    /// - an externally managed one (PEP 668: Debian's /usr/bin/python3): pip refuses it, so say to
    ///   install into a virtual environment and run that environment's interpreter.
    static func pipInstall(_ packages: [String], interpreter: String?, path: String, directory: String?)
        -> (command: String, aptPackages: [String])
    {
        let list = packages.joined(separator: " ")
        let written = interpreter ?? "python3"
        let creatingVenv = "python3 -m venv --system-site-packages"
        let venvNeeds = venvNeedsDebianPackage(path: path) ? ["python3-venv"] : []
        if let python = locateInterpreter(interpreter, path: path, directory: directory) {
            if !isExternallyManaged(python, path: path) {
                return ("\(written.contains("/") ? python : written) -m pip install \(list)", [])
            }
            return ("\(creatingVenv) .venv && .venv/bin/python3 -m pip install \(list) (\(python) is externally managed, "
                + "PEP 668: pip installs into a venv; run the client with .venv/bin/python3 and name it as the requirement's interpreter)",
                venvNeeds)
        }
        let file = written.contains("/") ? resolve(written, directory: directory) : written
        let bin = (file as NSString).deletingLastPathComponent
        if written.contains("/"), (bin as NSString).lastPathComponent == "bin", (file as NSString).lastPathComponent.hasPrefix("python") {
            let venv = (bin as NSString).deletingLastPathComponent
            return ("\(creatingVenv) \(venv) && \(file) -m pip install \(list)", venvNeeds)
        }
        return ("\(file) -m pip install \(list) (\(file) not found)", [])
    }

    /// Whether `python` is a system interpreter that pip refuses (PEP 668: an `EXTERNALLY-MANAGED`
    /// file beside its standard library, outside a virtual environment).
    static func isExternallyManaged(_ python: String, path: String) -> Bool {
        ask(python, "import os, sys, sysconfig\nmarker = os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')\n"
            + "sys.exit(0 if sys.prefix == sys.base_prefix and os.path.exists(marker) else 1)", path: path)
    }

    /// Whether `python3 -m venv` needs Debian's python3-venv first: `python3` on `path` is missing
    /// or lacks `ensurepip` (Debian ships it in that package).
    static func venvNeedsDebianPackage(path: String) -> Bool {
        guard let python = ExternalCommand.locate("python3", searching: path) else { return true }
        return !ask(python, "import importlib.util, sys\nsys.exit(0 if importlib.util.find_spec('ensurepip') else 1)", path: path)
    }

    /// Runs `python -c code arguments...` with `path` as its PATH: whether it exits 0.
    static func ask(_ python: String, _ code: String, _ arguments: String..., path: String) -> Bool {
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = path
        guard let child = try? Spawn.start([python, "-c", code] + arguments, env: env, capture: false, discard: true) else { return false }
        return Spawn.wait(child.pid) == .exited(0)
    }
}
