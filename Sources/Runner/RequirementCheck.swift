import Foundation
import Glibc
import Netlink
import ScenarioFormat

/// Which of a scenario's `requires:` this machine lacks, checked before a run builds anything.
public enum RequirementCheck {
    /// The requirements not met: a command not found as an executable on `path` (a `:`-separated
    /// search path, or the command itself when it contains a `/`), a file that does not exist, or a
    /// Python module the `python3` on `path` cannot find.
    public static func missing(_ requirements: [Requirement], path: String) -> [Requirement] {
        requirements.filter { !isMet($0, path: path) }
    }

    /// Why the scenario must be skipped, naming each missing thing and how to install it; nil when
    /// every requirement is met.
    ///
    /// `needs command etcd (package etcd-server), not found; install: apt-get install etcd-server`
    public static func skipReason(for scenario: Scenario, path: String) -> String? {
        let absent = missing(scenario.requirements, path: path)
        guard !absent.isEmpty else { return nil }
        var commands: [String] = []
        for installer in [Requirement.Installer.apt, .pip] {
            var packages: [String] = []
            for r in absent where r.installer == installer && !packages.contains(r.package) { packages.append(r.package) }
            guard !packages.isEmpty else { continue }
            let tool = installer == .apt ? "apt-get install" : "python3 -m pip install"
            commands.append("\(tool) \(packages.joined(separator: " "))")
        }
        return "needs \(absent.map(\.description).joined(separator: ", ")), not found; install: \(commands.joined(separator: "; "))"
    }

    static func isMet(_ requirement: Requirement, path: String) -> Bool {
        switch requirement.need {
        case .file(let file):
            return access(file, F_OK) == 0
        case .command(let name):
            return ExternalCommand.locate(name, searching: path) != nil
        case .python(let module):
            return pythonFinds(module, path: path)
        }
    }

    /// Asks the `python3` on `path` — the interpreter the hosts' programs get — whether it can find
    /// `module` (`importlib.util.find_spec`, which locates without importing).
    static func pythonFinds(_ module: String, path: String) -> Bool {
        guard let python = ExternalCommand.locate("python3", searching: path) else { return false }
        let code = "import importlib.util, sys\ntry:\n    found = importlib.util.find_spec(sys.argv[1]) is not None\n"
            + "except Exception:\n    found = False\nsys.exit(0 if found else 1)"
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = path
        guard let child = try? Spawn.start([python, "-c", code, module], env: env, capture: false, discard: true) else { return false }
        return Spawn.wait(child.pid) == .exited(0)
    }
}
