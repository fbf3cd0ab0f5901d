/// Something a scenario needs from the machine beyond Faultline itself (`requires:`): a program
/// its hosts run, a file a library installs, or a Python module, with the package that provides it.
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
        /// A module a Python interpreter can import (`consul`, `etcd3`): the requirement's
        /// `interpreter`, or the `python3` found on `PATH` without one.
        case python(String)
    }

    /// Where the package comes from, which says how to install it.
    public enum Installer: String, Codable, Sendable, Equatable {
        /// A Debian package: `apt-get install NAME`.
        case apt
        /// A PyPI package: `INTERPRETER -m pip install NAME`, into a virtual environment where the
        /// interpreter is a system one (PEP 668 refuses it).
        case pip
    }

    public var need: Need
    /// The package that provides it, as its installer names it.
    public var package: String
    public var installer: Installer {
        get { via ?? .apt }
        set { via = newValue == .apt ? nil : newValue }
    }
    /// For a `python` need, the interpreter asked (`interpreter:`), which should be the one the
    /// scenario's hosts run: a path (relative to the scenario's folder, like a host's `run:`, when
    /// it does not start with `/`) or a command on `PATH`. Nil: `python3` on `PATH`.
    public var interpreter: String?

    /// Stored optional, so Debian requirements (and reports written before pip ones) read alike.
    private var via: Installer?

    private enum CodingKeys: String, CodingKey {
        case need, package, interpreter
        case via = "installer"
    }

    public init(_ need: Need, package: String, installer: Installer = .apt, interpreter: String? = nil) {
        self.need = need
        self.package = package
        self.via = installer == .apt ? nil : installer
        self.interpreter = interpreter
    }

    /// `command etcd (package etcd-server)`, `python module consul (pip package py-consul)`,
    /// `python module consul of .venv/bin/python3 (pip package py-consul)`.
    public var description: String {
        let from = installer == .apt ? "package \(package)" : "pip package \(package)"
        return switch need {
        case .command(let name): "command \(name) (\(from))"
        case .file(let path): "file \(path) (\(from))"
        case .python(let module): "python module \(module)\(interpreter.map { " of \($0)" } ?? "") (\(from))"
        }
    }
}
