import Yams

extension ScenarioBuilder {
    static let requirementKeys = ["command", "file", "package"]

    /// `requires: [{ command: etcd, package: etcd-server }, { file: /usr/lib/…/etcd3, package: python3-etcd3 }]`.
    func readRequirements(_ node: Node, _ path: String) -> [Requirement] {
        guard let items = r.list(node, path) else { return [] }
        return items.enumerated().compactMap { i, item in readRequirement(item, "\(path)[\(i)]") }
    }

    private func readRequirement(_ node: Node, _ path: String) -> Requirement? {
        guard let f = r.fields(node, path, allowed: Self.requirementKeys) else { return nil }
        let package = r.require(f, "package", hint: " (the package that provides it, as apt-get names it)")
            .flatMap { packageName($0, f.path("package")) }
        let kinds = ["command", "file"].filter(f.has)
        guard kinds.count == 1 else {
            r.error(node, path, kinds.isEmpty
                ? "a requirement needs 'command' (a program on PATH) or 'file' (an absolute path)"
                : "a requirement names one of 'command' and 'file', not both")
            return nil
        }
        let need: Requirement.Need?
        if let n = f["command"] {
            need = r.text(n, f.path("command"), what: "a program name").flatMap { name in
                guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                    r.error(n, f.path("command"), "'\(name)' is not a program name; write one word, such as etcd")
                    return nil
                }
                return .command(name)
            }
        } else {
            need = f["file"].flatMap { n in
                r.text(n, f.path("file"), what: "an absolute path").flatMap { file in
                    guard file.hasPrefix("/") else {
                        r.error(n, f.path("file"), "'\(file)' is not an absolute path; write it from /, e.g. /usr/lib/python3/dist-packages/etcd3")
                        return nil
                    }
                    return .file(file)
                }
            }
        }
        guard let need, let package else { return nil }
        return Requirement(need, package: package)
    }

    /// A Debian package name: lower-case letters, digits, `+`, `-` and `.`, starting with a letter or digit.
    private func packageName(_ node: Node, _ path: String) -> String? {
        guard let name = r.text(node, path, what: "a package name") else { return nil }
        let scalars = Array(name.unicodeScalars)
        let wellFormed = scalars.count >= 2 && scalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)
        } && scalars.first.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) } == true
        guard wellFormed else {
            r.error(node, path, "'\(name)' is not a package name; use the name apt-get installs, such as etcd-server")
            return nil
        }
        return name
    }
}
