import FaultlineCore

/// The keys that introduce a kind of fault in a scenario file.
///
/// A new kind (`link:`, `dns:`, `cpu:`, `process:`) is one more case here; the compiler then points
/// at the `switch` in ``ScenarioBuilder/readFaultKind(_:_:_:)`` that must read it.
enum FaultKindKey: String, CaseIterable {
    case partition
    case link
    case cpu
    case process
    case dns
    case http
    case tls

    static var keywords: [String] { allCases.map(\.rawValue) }
}

/// A fault as read, with the nodes later checks point at; `fault` is nil when it could not be read.
struct FaultDraft {
    var fault: Fault?
    var path: String
    var node: YAMLNode
    var name: String?
    var nameNode: YAMLNode?
    var at: TimeSpan?
    var atNode: YAMLNode?
    var duration: TimeSpan?
    var forNode: YAMLNode?
    var kindPath: String?
    var kindNode: YAMLNode?
}

extension ScenarioBuilder {
    static let faultKeys = ["name", "at", "for"] + FaultKindKey.keywords
    static let partitionKeys = ["between", "from", "to", "groups", "mode"]

    func readFaults(_ node: YAMLNode, _ path: String) {
        guard let items = r.list(node, path) else { return }
        for (i, item) in items.enumerated() {
            if let draft = readFault(item, "\(path)[\(i)]") { faults.append(draft) }
        }
    }

    private func readFault(_ node: YAMLNode, _ path: String) -> FaultDraft? {
        guard let f = r.fields(node, path, allowed: Self.faultKeys) else { return nil }
        var d = FaultDraft(path: path, node: node)
        let errorsBefore = r.errorCount
        if let n = r.require(f, "name") {
            d.nameNode = n
            d.name = r.text(n, f.path("name"), what: "a fault name")
            if let name = d.name, let first = faults.first(where: { $0.name == name }) {
                let line = first.nameNode?.line ?? 0
                r.error(n, f.path("name"), "fault name '\(name)' is already used on line \(line); names must be unique")
            }
        }
        if let n = r.require(f, "at") {
            d.atNode = n
            d.at = r.timeSpan(n, f.path("at"))
        }
        if let n = f["for"] {
            d.forNode = n
            d.duration = r.timeSpan(n, f.path("for"), positive: true)
        }

        let kinds = FaultKindKey.allCases.filter { f.has($0.rawValue) }
        guard let kind = kinds.first else {
            r.error(node, path, "a fault needs one kind: \(FaultKindKey.keywords.listed)")
            return d
        }
        for extra in kinds.dropFirst() {
            r.error(f.keyNode(extra.rawValue), f.path(extra.rawValue),
                    "a fault has exactly one kind; this one already is a '\(kind.rawValue)'")
        }
        d.kindPath = f.path(kind.rawValue)
        d.kindNode = f[kind.rawValue]
        let faultKind = readFaultKind(kind, f[kind.rawValue]!, f.path(kind.rawValue))
        if r.errorCount == errorsBefore, let name = d.name, let at = d.at, let faultKind {
            d.fault = Fault(name: name, at: at, duration: d.duration, kind: faultKind)
        }
        return d
    }

    /// The one place that maps a kind's key to the code reading it.
    func readFaultKind(_ kind: FaultKindKey, _ node: YAMLNode, _ path: String) -> FaultKind? {
        switch kind {
        case .partition: readPartition(node, path).map(FaultKind.partition)
        case .link: readLink(node, path).map(FaultKind.link)
        case .cpu: readCPUFault(node, path).map(FaultKind.cpu)
        case .process: readProcessFault(node, path).map(FaultKind.process)
        case .dns: readHijack(node, path).map(FaultKind.dns)
        case .http: readHTTPFault(node, path).map(FaultKind.http)
        case .tls: readTLSFault(node, path).map(FaultKind.tls)
        }
    }

    // MARK: Partition

    private func readPartition(_ node: YAMLNode, _ path: String) -> Partition? {
        guard let f = r.fields(node, path, allowed: Self.partitionKeys) else { return nil }
        let errorsBefore = r.errorCount
        var mode = PartitionMode.drop
        if let n = f["mode"], let s = r.text(n, f.path("mode"), what: "a partition mode") {
            if let m = PartitionMode(rawValue: s) {
                mode = m
            } else {
                let allowed = PartitionMode.allCases.map(\.rawValue)
                r.error(n, f.path("mode"),
                        "unknown mode '\(s)'; allowed: \(allowed.listed)\(Suggestion.hint(for: s, in: allowed))")
            }
        }

        let shapes = [f.has("between"), f.has("from") || f.has("to"), f.has("groups")].filter { $0 }.count
        guard shapes == 1 else {
            r.error(node, path, shapes == 0
                ? "a partition needs one of: between: [a, b] (both ways), from: a with to: b (one way), "
                    + "groups: [[a, b], [c]]"
                : "a partition takes exactly one of between, from/to, groups")
            return nil
        }
        var cuts: [DirectedPair] = []
        if let n = f["between"] {
            cuts = between(n, f.path("between"))
        } else if f.has("groups") {
            cuts = groups(f["groups"]!, f.path("groups"))
        } else if let fromNode = r.require(f, "from", hint: " (the sending host)"),
                  let toNode = r.require(f, "to", hint: " (the receiving host or hosts)") {
            cuts = fromTo(fromNode, f.path("from"), toNode, f.path("to"))
        }
        guard r.errorCount == errorsBefore else { return nil }
        var seen = Set<DirectedPair>()
        return Partition(cuts: cuts.filter { seen.insert($0).inserted }, mode: mode)
    }

    /// One host name or a list of them, each checked; nil (and a problem) if the list is empty.
    private func hostList(_ node: YAMLNode, _ path: String) -> [(name: String, node: YAMLNode)]? {
        if node.isSequence {
            guard let items = r.list(node, path), !items.isEmpty else {
                r.error(node, path, "the list of hosts is empty; a partition must cut something")
                return nil
            }
            return items.enumerated().compactMap { i, item in
                hostReference(item, "\(path)[\(i)]").map { ($0, item) }
            }
        }
        return hostReference(node, path).map { [($0, node)] }
    }

    func between(_ node: YAMLNode, _ path: String) -> [DirectedPair] {
        guard node.isSequence else {
            r.error(node, path, "expected a list of two hosts such as [client, api], found \(node.kindName)")
            return []
        }
        guard let hosts = hostList(node, path) else { return [] }
        if r.list(node, path)?.count == 1 {
            r.error(node, path, "between needs at least two hosts, e.g. [client, api]")
        }
        var cuts: [DirectedPair] = []
        for (i, a) in hosts.enumerated() {
            for b in hosts[(i + 1)...] {
                if a.name == b.name {
                    r.error(b.node, path, "cuts '\(a.name)' from itself; list each host once")
                    continue
                }
                cuts.append(DirectedPair(from: a.name, to: b.name))
                cuts.append(DirectedPair(from: b.name, to: a.name))
            }
        }
        return cuts
    }

    func fromTo(_ fromNode: YAMLNode, _ fromPath: String, _ toNode: YAMLNode, _ toPath: String) -> [DirectedPair] {
        guard let senders = hostList(fromNode, fromPath), let receivers = hostList(toNode, toPath) else { return [] }
        var cuts: [DirectedPair] = []
        for s in senders {
            for t in receivers {
                if s.name == t.name {
                    r.error(t.node, toPath, "cuts '\(s.name)' from itself; a host cannot be partitioned from itself")
                } else {
                    cuts.append(DirectedPair(from: s.name, to: t.name))
                }
            }
        }
        return cuts
    }

    /// Every host of one group is cut from every host of every other group, both ways.
    private func groups(_ node: YAMLNode, _ path: String) -> [DirectedPair] {
        guard let items = r.list(node, path) else { return [] }
        var groups: [[String]] = []
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let groupPath = "\(path)[\(i)]"
            guard item.isSequence else {
                r.error(item, groupPath, "expected a group (a list of hosts such as [a, b]), found \(item.kindName)")
                continue
            }
            guard let hosts = hostList(item, groupPath) else { continue }
            for h in hosts {
                if let other = seen[h.name] {
                    r.error(h.node, groupPath, "host '\(h.name)' is already in group \(other); "
                        + "a host belongs to one group")
                }
                seen[h.name] = i
            }
            groups.append(hosts.map(\.name))
        }
        if items.count < 2 {
            r.error(node, path, "groups needs at least two groups, e.g. [[a, b], [c]]; one group cuts nothing")
        }
        var cuts: [DirectedPair] = []
        for (i, g) in groups.enumerated() {
            for (j, other) in groups.enumerated() where i != j {
                for a in g { for b in other where a != b { cuts.append(DirectedPair(from: a, to: b)) } }
            }
        }
        return cuts
    }
}
