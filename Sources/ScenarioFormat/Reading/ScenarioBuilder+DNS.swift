import FaultlineCore

/// Reading the `dns:` sections: the zone at the top, a host's resolver options, and the
/// `dns` hijack fault.
extension ScenarioBuilder {
    static let dnsKeys = ["records", "unknown", "intercept"]
    static let recordKeys = ["name", "type", "value", "ttl"]
    static let resolverKeys = ["timeout", "attempts"]
    static let hijackKeys = ["name", "type", "hosts", "answer", "rcode", "drop", "delay", "truncate", "ttl",
                             "first", "probability"]
    static let hijackActions = ["answer", "rcode", "drop", "delay", "truncate"]

    // MARK: The zone

    func readDNS(_ node: YAMLNode, _ path: String) -> DNSSettings? {
        guard let f = r.fields(node, path, allowed: Self.dnsKeys, nullIsEmpty: true) else { return nil }
        var settings = DNSSettings()
        if let n = f["unknown"], let s = r.text(n, f.path("unknown"), what: "nxdomain or refused") {
            if let policy = UnknownNamePolicy(rawValue: s) {
                settings.unknown = policy
            } else {
                let allowed = UnknownNamePolicy.allCases.map(\.rawValue)
                r.error(n, f.path("unknown"), "unknown answer '\(s)' for names outside the zone; allowed: "
                    + "\(allowed.listed)\(Suggestion.hint(for: s, in: allowed))")
            }
        }
        if let n = f["intercept"] {
            for (i, item) in (oneOrMany(n, f.path("intercept")) ?? []).enumerated() {
                let p = n.isSequence ? "\(f.path("intercept"))[\(i)]" : f.path("intercept")
                guard let s = r.text(item, p, what: "an IPv4 address") else { continue }
                if let a = IPv4Address(parsing: s) { settings.intercept.append(a) } else {
                    r.error(item, p, "not an IPv4 address: '\(s)'; intercept takes resolver addresses such as 203.0.113.53")
                }
            }
        }
        if let n = f["records"], let items = r.list(n, f.path("records")) {
            for (i, item) in items.enumerated() {
                settings.records += readRecord(item, "\(f.path("records"))[\(i)]")
            }
        }
        return settings
    }

    private func readRecord(_ node: YAMLNode, _ path: String) -> [DNSRecordSpec] {
        guard let f = r.fields(node, path, allowed: Self.recordKeys) else { return [] }
        let name = r.require(f, "name").flatMap { dnsName($0, f.path("name"), wildcard: false) }
        let type = r.require(f, "type").flatMap { recordType($0, f.path("type"), allowAny: false) } ?? nil
        let ttl = f["ttl"].map { r.timeSpan($0, f.path("ttl")) } ?? .seconds(60)
        guard let valueNode = r.require(f, "value", hint: " (the record's data)") else { return [] }
        // The values are checked even when the name is wrong, so every problem shows at once.
        guard let type else { return [] }
        var records: [DNSRecordSpec] = []
        for (i, item) in (oneOrMany(valueNode, f.path("value")) ?? []).enumerated() {
            let p = valueNode.isSequence ? "\(f.path("value"))[\(i)]" : f.path("value")
            guard let s = r.text(item, p, what: "a record value") else { continue }
            if let data = recordData(type, s, item, p), let name, let ttl {
                records.append(DNSRecordSpec(name: name, ttl: ttl, data: data))
            }
        }
        return records
    }

    private func recordData(_ type: DNSRecordType, _ s: String, _ node: YAMLNode, _ path: String) -> DNSRecordData? {
        switch type {
        case .a: return address(s, node, path, allowIPv6: false).map(DNSRecordData.a)
        case .aaaa:
            guard let a = IPv6Address(parsing: s) else {
                r.error(node, path, "not an IPv6 address: '\(s)'; an AAAA record holds one such as 2001:db8::1")
                return nil
            }
            return .aaaa(a)
        case .cname: return dnsName(node, path, wildcard: false).map { .cname(target: $0) }
        case .srv:
            let parts = s.split(separator: " ").map(String.init)
            guard parts.count == 4, let p = UInt16(parts[0]), let w = UInt16(parts[1]), let port = UInt16(parts[2]),
                  DNSNameText.problem(parts[3]) == nil else {
                r.error(node, path, "an SRV value is 'priority weight port target', e.g. '10 5 8500 api', found '\(s)'")
                return nil
            }
            return .srv(priority: p, weight: w, port: port, target: parts[3])
        case .txt:
            guard s.utf8.count <= 255 else {
                r.error(node, path, "a TXT string holds at most 255 bytes; this one has \(s.utf8.count)")
                return nil
            }
            return .txt([s])
        }
    }

    /// An IPv4 literal, an IPv6 literal (when allowed) or a host of the scenario.
    private func address(_ s: String, _ node: YAMLNode, _ path: String, allowIPv6: Bool) -> DNSAddressValue? {
        if let a = IPv4Address(parsing: s) { return .ipv4(a) }
        if s.contains(":") {
            if allowIPv6, let a = IPv6Address(parsing: s) { return .ipv6(a) }
            r.error(node, path, allowIPv6 ? "not an IPv6 address: '\(s)'" : "an A record holds an IPv4 address, found '\(s)'")
            return nil
        }
        if s.allSatisfy({ $0.isNumber || $0 == "." }) {
            r.error(node, path, "not an IPv4 address: '\(s)'; write four numbers from 0 to 255, e.g. 198.18.9.9")
            return nil
        }
        return checkHost(s, node, path) ? .host(s) : nil
    }

    private func dnsName(_ node: YAMLNode, _ path: String, wildcard: Bool) -> String? {
        guard var s = r.text(node, path, what: "a DNS name") else { return nil }
        if s.hasSuffix("."), s.count > 1 { s.removeLast() }
        let body = wildcard && s.hasPrefix("*.") ? String(s.dropFirst(2)) : s
        if let problem = DNSNameText.problem(body) {
            r.error(node, path, "'\(s)' is not a DNS name: \(problem)"
                + (wildcard ? "; a wildcard is written *.suffix" : ""))
            return nil
        }
        return s.lowercased()
    }

    /// A record type; `any` (nil) only where allowed. The outer optional is nil on error.
    private func recordType(_ node: YAMLNode, _ path: String, allowAny: Bool) -> DNSRecordType?? {
        guard let s = r.text(node, path, what: "a record type") else { return nil }
        if allowAny, s.lowercased() == "any" { return .some(nil) }
        if let t = DNSRecordType(rawValue: s.uppercased()) { return .some(t) }
        let allowed = DNSRecordType.allCases.map(\.rawValue) + (allowAny ? ["any"] : [])
        r.error(node, path, "unsupported record type '\(s)'; allowed: \(allowed.listed)"
            + Suggestion.hint(for: s.uppercased(), in: allowed))
        return nil
    }

    /// A single value or a list of them.
    private func oneOrMany(_ node: YAMLNode, _ path: String) -> [YAMLNode]? {
        node.isSequence ? r.list(node, path) : [node]
    }

    // MARK: A host's resolver

    func readResolver(_ node: YAMLNode, _ path: String) -> ResolverOptions? {
        guard let f = r.fields(node, path, allowed: Self.resolverKeys, nullIsEmpty: true) else { return nil }
        var options = ResolverOptions.default
        if let n = f["timeout"], let t = r.timeSpan(n, f.path("timeout"), positive: true) {
            if t.nanoseconds % 1_000_000_000 != 0 || t > .seconds(30) {
                r.error(n, f.path("timeout"), "the resolver's timeout is whole seconds from 1s to 30s "
                    + "(resolv.conf's timeout:), found \(t)")
            }
            options.timeout = t
        }
        if let n = f["attempts"], let a = r.unsigned(n, f.path("attempts")) {
            if !(1...5).contains(a) {
                r.error(n, f.path("attempts"), "attempts must lie between 1 and 5 (resolv.conf's attempts:), found \(a)")
            }
            options.attempts = Int(min(a, 5))
        }
        return options
    }

    // MARK: The hijack fault

    func readHijack(_ node: YAMLNode, _ path: String) -> DNSHijack? {
        guard let f = r.fields(node, path, allowed: Self.hijackKeys) else { return nil }
        let errorsBefore = r.errorCount
        let name = r.require(f, "name", hint: " (exact, or a wildcard such as *.service.consul)")
            .flatMap { dnsName($0, f.path("name"), wildcard: true) }
        let type = f["type"].map { recordType($0, f.path("type"), allowAny: true) } ?? .some(nil)
        var hosts: [String]?
        if let n = f["hosts"] {
            hosts = (oneOrMany(n, f.path("hosts")) ?? []).enumerated().compactMap { i, item in
                hostReference(item, n.isSequence ? "\(f.path("hosts"))[\(i)]" : f.path("hosts"))
            }
        }
        let ttl = f["ttl"].map { r.timeSpan($0, f.path("ttl")) } ?? nil
        let first = f["first"].flatMap { n -> Int? in
            guard let v = r.unsigned(n, f.path("first")) else { return nil }
            if v == 0 { r.error(n, f.path("first"), "first must be at least 1") }
            return Int(clamping: v)
        }
        let probability = f["probability"].flatMap { n -> Percentage? in
            guard let s = r.text(n, f.path("probability"), what: "a percentage such as 50%") else { return nil }
            if let problem = NodeReader.percentageProblem(s) { r.error(n, f.path("probability"), problem) }
            return Percentage(parsing: s)
        }

        let actions = Self.hijackActions.filter { f.has($0) }
        if actions.count > 1 {
            r.error(node, path, "a dns fault does one thing; found \(actions.listed): choose one of "
                + "\(Self.hijackActions.listed)")
        }
        var action: DNSHijackAction?
        switch actions.first {
        case "answer":
            let n = f["answer"]!
            let values = (oneOrMany(n, f.path("answer")) ?? []).enumerated().compactMap { i, item -> DNSAddressValue? in
                let p = n.isSequence ? "\(f.path("answer"))[\(i)]" : f.path("answer")
                return r.text(item, p, what: "an address or a host name").flatMap { address($0, item, p, allowIPv6: true) }
            }
            if n.isSequence, r.list(n, f.path("answer"))?.isEmpty == true {
                r.error(n, f.path("answer"), "answer needs at least one address")
            }
            action = .answer(values)
        case "rcode":
            if let s = r.text(f["rcode"]!, f.path("rcode"), what: "a response code") {
                if let c = DNSErrorCode(rawValue: s.lowercased()) { action = .rcode(c) } else {
                    let allowed = DNSErrorCode.allCases.map(\.rawValue)
                    r.error(f["rcode"]!, f.path("rcode"), "unknown rcode '\(s)'; allowed: \(allowed.listed)"
                        + Suggestion.hint(for: s.lowercased(), in: allowed))
                }
            }
        case "drop", "truncate":
            let key = actions.first!
            if let on = r.bool(f[key]!, f.path(key)) {
                if on { action = key == "drop" ? .drop : .truncate } else {
                    r.error(f[key]!, f.path(key), "\(key): false does nothing; leave the key out")
                }
            }
        case "delay":
            action = r.timeSpan(f["delay"]!, f.path("delay"), positive: true).map(DNSHijackAction.delay)
        default:
            if ttl != nil { action = .shapeTTL } else if f.has("ttl") == false {
                r.error(node, path, "a dns fault needs what to do: one of \(Self.hijackActions.listed), or ttl")
            }
        }
        if ttl != nil, let a = action, [.drop, .truncate].contains(a) || { if case .rcode = a { true } else { false } }() {
            r.error(f.keyNode("ttl"), f.path("ttl"), "ttl shapes answers; it does nothing with \(a.keyword)")
        }
        guard r.errorCount == errorsBefore, let name, let type, let action else { return nil }
        return DNSHijack(name: name, type: type, hosts: hosts, action: action, ttl: ttl, first: first, probability: probability)
    }
}

/// Checks DNS names as scenario files write them.
enum DNSNameText {
    /// Why `s` is not a DNS name, or nil if it is one.
    static func problem(_ s: String) -> String? {
        let labels = s.split(separator: ".", omittingEmptySubsequences: false)
        if s.isEmpty || labels.contains(where: \.isEmpty) { return "empty label" }
        if let long = labels.first(where: { $0.utf8.count > 63 }) { return "label '\(long)' is longer than 63 bytes" }
        if s.utf8.count + 2 > 255 { return "longer than 253 characters" }
        if s.contains(where: { $0.isWhitespace }) { return "contains a space" }
        return nil
    }
}
