/// Something a scenario needs from the machine beyond Faultline itself (`requires:`): a program
/// its hosts run, or a file a library installs, with the package that provides it.
///
/// `faultline run` checks every requirement before it builds anything; a scenario whose
/// requirement is missing is reported as skipped, naming the package, never run half-way.
public struct Requirement: Codable, Sendable, Equatable, CustomStringConvertible {
    /// What must be present.
    public enum Need: Codable, Sendable, Equatable {
        /// An executable found on `PATH` (or at this path, if it contains a `/`).
        case command(String)
        /// A file or folder at this absolute path (e.g. a Python module's package folder).
        case file(String)
    }

    public var need: Need
    /// The package that provides it (Debian's name, as in `apt-get install …`).
    public var package: String

    public init(_ need: Need, package: String) {
        self.need = need
        self.package = package
    }

    /// `command etcd (package etcd-server)`.
    public var description: String {
        switch need {
        case .command(let name): "command \(name) (package \(package))"
        case .file(let path): "file \(path) (package \(package))"
        }
    }
}
