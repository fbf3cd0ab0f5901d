/// Reads `tls:` on a stand-in host and the `tls:` fault.
extension ScenarioBuilder {
    static let serviceTLSKeys = ["names"]
    static let tlsFaultKeys = ["target", "certificate", "max-version", "handshake"]

    /// `tls: true`, `tls: false` (none), or `tls: { names: [a.example, b.example] }`.
    func readServiceTLS(_ node: YAMLNode, _ path: String) -> ServiceTLS? {
        if node.isScalar {
            guard let on = r.bool(node, path) else { return nil }
            return on ? ServiceTLS() : nil
        }
        guard let f = r.fields(node, path, allowed: Self.serviceTLSKeys, nullIsEmpty: true) else { return nil }
        var tls = ServiceTLS()
        if let n = f["names"], let items = r.list(n, f.path("names")) {
            for (i, item) in items.enumerated() {
                guard let name = r.text(item, "\(f.path("names"))[\(i)]", what: "a DNS name") else { continue }
                if let why = Self.dnsNameProblem(name) {
                    r.error(item, "\(f.path("names"))[\(i)]", "'\(name)' is not a DNS name a certificate can carry: \(why)")
                } else if !tls.names.contains(name.lowercased()) {
                    tls.names.append(name.lowercased())
                }
            }
        }
        return tls
    }

    /// Why `name` cannot be a certificate's DNS name (letters, digits, `-` and dots; a leading
    /// `*.` wildcard), or nil.
    static func dnsNameProblem(_ name: String) -> String? {
        let labels = (name.hasPrefix("*.") ? String(name.dropFirst(2)) : name).split(separator: ".", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.utf8.count <= 253 else { return "empty or longer than 253 characters" }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63 else { return "an empty label or one longer than 63 characters" }
            guard label.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) })
            else { return "only letters, digits, '-' and '.' (and a leading '*.')" }
            guard label.first != "-", label.last != "-" else { return "a label must not start or end with '-'" }
        }
        return nil
    }

    /// `target` and exactly one of `certificate`, `max-version`, `handshake`.
    func readTLSFault(_ node: YAMLNode, _ path: String) -> TLSFault? {
        guard let f = r.fields(node, path, allowed: Self.tlsFaultKeys) else { return nil }
        let errorsBefore = r.errorCount
        let target = r.require(f, "target", hint: " (the host whose stand-in serves TLS)")
            .flatMap { tlsTarget($0, f.path("target")) }
        let given = ["certificate", "max-version", "handshake"].filter { f.has($0) }
        guard let key = given.first else {
            r.error(node, path, "a tls fault needs one of: certificate: \(TLSCertificateFault.allCases.map(\.rawValue).joined(separator: " | ")), "
                + "max-version: \(TLSProtocolVersion.allCases.map(\.rawValue).joined(separator: " | ")), "
                + "handshake: \(TLSHandshakeFault.allCases.map(\.rawValue).joined(separator: " | "))")
            return nil
        }
        for extra in given.dropFirst() {
            r.error(f.keyNode(extra), f.path(extra), "a tls fault does one thing; this one already sets '\(key)' (write two faults to combine them)")
        }
        let action: TLSFaultAction? = switch key {
        case "certificate": word(f[key]!, f.path(key), TLSCertificateFault.self, what: "a certificate fault").map { .certificate($0) }
        case "max-version": word(f[key]!, f.path(key), TLSProtocolVersion.self, what: "a TLS version").map { .maxVersion($0) }
        default: word(f[key]!, f.path(key), TLSHandshakeFault.self, what: "a handshake fault").map { .handshake($0) }
        }
        guard r.errorCount == errorsBefore, let target, let action else { return nil }
        return TLSFault(target: target, action: action)
    }

    /// One of an enumeration's words, with a suggestion for a near miss.
    private func word<W: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ path: String, _: W.Type, what: String) -> W?
    where W.RawValue == String {
        guard let s = r.text(node, path, what: what) else { return nil }
        if let w = W(rawValue: s.lowercased()) { return w }
        let allowed = W.allCases.map(\.rawValue)
        r.error(node, path, "unknown \(what.replacingOccurrences(of: "a ", with: "")) '\(s)'; allowed: \(allowed.listed)"
            + Suggestion.hint(for: s.lowercased(), in: allowed))
        return nil
    }

    /// A host whose stand-in serves TLS.
    private func tlsTarget(_ node: YAMLNode, _ path: String) -> String? {
        guard let name = hostReference(node, path) else { return nil }
        guard let host = hosts.first(where: { $0.name == name }) else { return nil }
        guard host.service != nil, host.tls != nil else {
            let withTLS = hosts.filter { $0.tls != nil }.map(\.name)
            let known = withTLS.isEmpty ? "none does" : withTLS.listed
            r.error(node, path, "host '\(name)' serves no TLS, so there is no handshake to fault; give its stand-in "
                + "tls: true (hosts serving TLS: \(known))")
            return nil
        }
        return name
    }
}
