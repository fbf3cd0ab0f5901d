extension ScenarioBuilder {
    static let requirementKeys = ["command", "file", "python", "interpreter", "package", "pip"]

    /// `requires: [{ command: etcd, package: etcd-server }, { file: /usr/lib/…/etcd3, package: python3-etcd3 },
    /// { python: requests, interpreter: /usr/bin/python3, package: python3-requests },
    /// { python: consul, interpreter: ../.venv/bin/python3, pip: py-consul }]`.
    func readRequirements(_ node: YAMLNode, _ path: String) -> [Requirement] {
        guard let items = r.list(node, path) else { return [] }
        return items.enumerated().compactMap { i, item in readRequirement(item, "\(path)[\(i)]") }
    }

    private func readRequirement(_ node: YAMLNode, _ path: String) -> Requirement? {
        guard let f = r.fields(node, path, allowed: Self.requirementKeys) else { return nil }
        var source: (String, Requirement.Installer)?
        switch (f["package"], f["pip"]) {
        case (let n?, nil):
            source = packageName(n, f.path("package"), installer: .apt).map { ($0, .apt) }
        case (nil, let n?):
            source = packageName(n, f.path("pip"), installer: .pip).map { ($0, .pip) }
        case (.some, .some):
            r.error(node, path, "a requirement names one of 'package' (apt-get) and 'pip' (PyPI), not both")
        case (nil, nil):
            r.error(node, path, "missing required key 'package' (the package that provides it, as apt-get names it; "
                + "or 'pip' for a PyPI package)")
        }
        let kinds = ["command", "file", "python"].filter(f.has)
        guard kinds.count == 1 else {
            r.error(node, path, kinds.isEmpty
                ? "a requirement needs 'command' (a program on PATH), 'file' (an absolute path) or 'python' (a module python3 imports)"
                : "a requirement names one of 'command', 'file' and 'python', not \(kinds.joined(separator: " and "))")
            return nil
        }
        let need: Requirement.Need?
        if let n = f["command"] {
            need = word(n, f.path("command"), what: "a program name", example: "etcd").map { .command($0) }
        } else if let n = f["python"] {
            need = moduleName(n, f.path("python")).map { .python($0) }
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
        var interpreter: String?
        if let n = f["interpreter"] {
            if f.has("python") {
                interpreter = word(n, f.path("interpreter"), what: "a Python interpreter", example: "/usr/bin/python3 or .venv/bin/python3")
                if interpreter == nil { return nil }
            } else {
                r.error(n, f.path("interpreter"), "'interpreter' names the Python that must import a 'python' module; "
                    + "this requirement has none")
                return nil
            }
        }
        guard let need, let (package, installer) = source else { return nil }
        return Requirement(need, package: package, installer: installer, interpreter: interpreter)
    }

    private func word(_ node: YAMLNode, _ path: String, what: String, example: String) -> String? {
        r.text(node, path, what: what).flatMap { name in
            guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                r.error(node, path, "'\(name)' is not \(what); write one word, such as \(example)")
                return nil
            }
            return name
        }
    }

    /// A dotted Python module name: identifiers (letters, digits, `_`, not starting with a digit) joined by `.`.
    private func moduleName(_ node: YAMLNode, _ path: String) -> String? {
        guard let name = r.text(node, path, what: "a Python module name") else { return nil }
        let wellFormed = !name.isEmpty && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let first = part.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
            return part.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
        }
        guard wellFormed else {
            r.error(node, path, "'\(name)' is not a Python module name; write what 'import' takes, such as consul or etcd3")
            return nil
        }
        return name
    }

    /// A Debian package name (lower-case letters, digits, `+`, `-` and `.`, starting with a letter
    /// or digit) or a PyPI one (letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit).
    private func packageName(_ node: YAMLNode, _ path: String, installer: Requirement.Installer) -> String? {
        guard let name = r.text(node, path, what: "a package name") else { return nil }
        let scalars = Array(name.unicodeScalars)
        func alphanumeric(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("0"..."9").contains(c) || (installer == .pip && ("A"..."Z").contains(c))
        }
        let wellFormed: Bool
        switch installer {
        case .apt:
            wellFormed = scalars.count >= 2 && scalars.allSatisfy { alphanumeric($0) || "+-.".unicodeScalars.contains($0) }
                && scalars.first.map(alphanumeric) == true
        case .pip:
            wellFormed = !scalars.isEmpty && scalars.allSatisfy { alphanumeric($0) || "-_.".unicodeScalars.contains($0) }
                && alphanumeric(scalars.first!) && alphanumeric(scalars.last!)
        }
        guard wellFormed else {
            r.error(node, path, installer == .apt
                ? "'\(name)' is not a package name; use the name apt-get installs, such as etcd-server"
                : "'\(name)' is not a PyPI package name; use the name pip installs, such as py-consul")
            return nil
        }
        return name
    }
}
