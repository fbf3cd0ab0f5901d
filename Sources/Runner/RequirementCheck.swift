import Glibc
import ScenarioFormat

/// Which of a scenario's `requires:` this machine lacks, checked before a run builds anything.
public enum RequirementCheck {
    /// The requirements not met: a command not found as an executable on `path` (a `:`-separated
    /// search path, or the command itself when it contains a `/`), or a file that does not exist.
    public static func missing(_ requirements: [Requirement], path: String) -> [Requirement] {
        requirements.filter { !isMet($0, path: path) }
    }

    /// Why the scenario must be skipped, naming each missing thing and the packages to install; nil
    /// when every requirement is met.
    ///
    /// `needs command etcd (package etcd-server), not found; install: apt-get install etcd-server`
    public static func skipReason(for scenario: Scenario, path: String) -> String? {
        let absent = missing(scenario.requirements, path: path)
        guard !absent.isEmpty else { return nil }
        var packages: [String] = []
        for r in absent where !packages.contains(r.package) { packages.append(r.package) }
        return "needs \(absent.map(\.description).joined(separator: ", ")), not found; "
            + "install: apt-get install \(packages.joined(separator: " "))"
    }

    static func isMet(_ requirement: Requirement, path: String) -> Bool {
        switch requirement.need {
        case .file(let file):
            return access(file, F_OK) == 0
        case .command(let name) where name.contains("/"):
            return access(name, X_OK) == 0
        case .command(let name):
            return path.split(separator: ":").contains { dir in access("\(dir)/\(name)", X_OK) == 0 }
        }
    }
}
