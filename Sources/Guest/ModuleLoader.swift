import CLinux
import Foundation
import Glibc

/// Loads kernel modules with their dependencies from a modules folder's `modules.dep`, through
/// finit_module(2): what `modprobe -d` does, for a guest that has no modprobe and no
/// /lib/modules of its own.
struct ModuleLoader {
    /// `kernel/net/sched/sch_netem.ko` by module name (`sch_netem`; `-` and `_` are one).
    private var paths: [String: String] = [:]
    /// Each module's dependencies, as paths relative to the folder.
    private var dependencies: [String: [String]] = [:]
    private var builtIn: Set<String> = []
    private var loaded: Set<String> = []
    let directory: String

    init(directory: String) throws {
        self.directory = directory
        guard let dep = try? String(contentsOfFile: directory + "/modules.dep", encoding: .utf8) else {
            throw GuestError.systemCall("reading the module list", directory + "/modules.dep")
        }
        for line in dep.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let path = String(line[..<colon])
            let name = Self.name(of: path)
            paths[name] = path
            dependencies[name] = line[line.index(after: colon)...].split(separator: " ").map(String.init)
        }
        let builtins = (try? String(contentsOfFile: directory + "/modules.builtin", encoding: .utf8)) ?? ""
        builtIn = Set(builtins.split(separator: "\n").map { Self.name(of: String($0)) })
    }

    /// `sch_netem` for `kernel/net/sched/sch_netem.ko`.
    static func name(of path: String) -> String {
        var base = (path as NSString).lastPathComponent
        for suffix in [".xz", ".zst", ".gz", ".ko"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        return base.replacingOccurrences(of: "-", with: "_")
    }

    /// Loads `module` after its dependencies; one already loaded or built in is fine. `insert`
    /// puts one module file into the kernel (finit_module(2); tests record the order instead).
    mutating func load(_ module: String, insert: (_ name: String, _ file: String) throws -> Void = ModuleLoader.insert) throws {
        let name = Self.name(of: module)
        if loaded.contains(name) || builtIn.contains(name) { return }
        guard let path = paths[name] else {
            throw GuestError.unavailable("kernel module \(name)", remedy: "not in \(directory)/modules.dep")
        }
        for dependency in dependencies[name] ?? [] { try load(dependency, insert: insert) }
        try insert(name, "\(directory)/\(path)")
        loaded.insert(name)
    }

    /// finit_module(2) of the file at `file`; a module already in the kernel is fine.
    static func insert(_ name: String, _ file: String) throws {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GuestError.systemCall("opening kernel module", file) }
        defer { close(fd) }
        guard fl_finit_module(fd, "", 0) == 0 || errno == EEXIST else { throw GuestError.systemCall("loading kernel module", name) }
    }
}
