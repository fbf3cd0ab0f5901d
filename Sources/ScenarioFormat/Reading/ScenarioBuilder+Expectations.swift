/// The keys that introduce a kind of expectation; a new kind is one more case here and in
/// ``ScenarioBuilder/readExpectationKind(_:_:_:)``.
enum ExpectationKindKey: String, CaseIterable {
    case process
    case probe
    case requests
    case retries
    case circuitBreaker = "circuit-breaker"
    case failover
    case failback
    case noStorm = "no-storm"
    case availability
    case latency
    case recovery
    case dns

    static var keywords: [String] { allCases.map(\.rawValue) }
}

/// An expectation as read, with the nodes later checks point at.
struct ExpectationDraft {
    var expectation: Expectation?
    var path: String
    var window = Window()
    /// The window's keys as written, for checks that relate the window to faults and the run's length.
    var windowFields: Fields?
}

extension ScenarioBuilder {
    static let windowKeys = ["during", "after", "before", "within", "from", "until"]
    static let expectationKeys = ["name", "weight"] + windowKeys + ExpectationKindKey.keywords
    static let processKeys = ["host", "running", "exit", "output"]
    static let probeKeys = ["from", "http", "tcp", "dns", "command", "every", "timeout", "success"]
    static let probeTargetKeys = ["http", "tcp", "dns", "command"]

    func readExpectations(_ node: YAMLNode, _ path: String) {
        guard let items = r.list(node, path) else { return }
        for (i, item) in items.enumerated() {
            if let draft = readExpectation(item, "\(path)[\(i)]") { expectations.append(draft) }
        }
    }

    private func readExpectation(_ node: YAMLNode, _ path: String) -> ExpectationDraft? {
        guard let f = r.fields(node, path, allowed: Self.expectationKeys) else { return nil }
        let errorsBefore = r.errorCount
        var d = ExpectationDraft(path: path, windowFields: f)
        let name = r.require(f, "name").flatMap { r.text($0, f.path("name"), what: "a name") }
        d.window = readWindow(f)
        let weight = f["weight"].flatMap { readWeight($0, f.path("weight")) }

        let kinds = ExpectationKindKey.allCases.filter { f.has($0.rawValue) }
        guard let kind = kinds.first else {
            r.error(node, path, "an expectation needs one kind: \(ExpectationKindKey.keywords.listed)")
            return d
        }
        for extra in kinds.dropFirst() {
            r.error(f.keyNode(extra.rawValue), f.path(extra.rawValue),
                    "an expectation has exactly one kind; this one already is a '\(kind.rawValue)'")
        }
        let expectationKind = readExpectationKind(kind, f[kind.rawValue]!, f.path(kind.rawValue), window: d.window)
        if r.errorCount == errorsBefore, let name, let expectationKind {
            d.expectation = Expectation(name: name, window: d.window, kind: expectationKind, weight: weight)
        }
        return d
    }

    /// `weight: 3`: a whole number from 1 to 100 (how much the expectation counts in the score).
    private func readWeight(_ node: YAMLNode, _ path: String) -> Int? {
        guard let v = r.unsigned(node, path) else { return nil }
        guard (1...100).contains(v) else {
            r.error(node, path, "weight must be a whole number from 1 to 100, found \(v)")
            return nil
        }
        return Int(v)
    }

    /// The one place that maps a kind's key to the code reading it.
    func readExpectationKind(_ kind: ExpectationKindKey, _ node: YAMLNode, _ path: String, window: Window) -> ExpectationKind? {
        switch kind {
        case .process: readProcess(node, path).map(ExpectationKind.process)
        case .probe: readProbe(node, path).map(ExpectationKind.probe)
        case .requests, .retries, .circuitBreaker, .failover, .failback, .noStorm, .availability, .latency, .recovery, .dns:
            readClientExpectation(kind, node, path, window: window)
        }
    }

    // MARK: Window

    private func readWindow(_ f: Fields) -> Window {
        var w = Window()
        let references = ["during", "after", "before"].filter { f.has($0) }
        for extra in references.dropFirst() {
            r.error(f.keyNode(extra), f.path(extra),
                    "a window refers to one fault; use one of during, after, before (already '\(references[0])')")
        }
        func fault(_ key: String) -> String? {
            guard let n = f[key], let name = r.text(n, f.path(key), what: "a fault name") else { return nil }
            var known: [String] = []
            for name in faults.compactMap(\.name) where !known.contains(name) { known.append(name) }
            guard known.contains(name) else {
                r.error(n, f.path(key), "unknown fault '\(name)'; faults: "
                    + "\(known.isEmpty ? "none defined" : known.listed)\(Suggestion.hint(for: name, in: known))")
                return nil
            }
            return name
        }
        w.during = fault("during")
        w.after = fault("after")
        w.before = fault("before")
        if let n = f["within"] {
            w.within = r.timeSpan(n, f.path("within"))
            if !f.has("after") {
                r.error(f.keyNode("within"), f.path("within"), "'within' counts from a fault's heal; add 'after: <fault>'")
            }
        }
        if let n = f["from"] { w.from = r.timeSpan(n, f.path("from")) }
        if let n = f["until"] { w.until = r.timeSpan(n, f.path("until"), positive: true) }
        if let from = w.from, let until = w.until, from >= until, let n = f["until"] {
            r.error(n, f.path("until"), "until (\(until)) must come after from (\(from))")
        }
        return w
    }

    // MARK: Process

    private func readProcess(_ node: YAMLNode, _ path: String) -> ProcessExpectation? {
        guard let f = r.fields(node, path, allowed: Self.processKeys) else { return nil }
        var host: String?
        if let n = r.require(f, "host"), let name = hostReference(n, f.path("host")) {
            host = name
            if hosts.first(where: { $0.name == name })?.run == nil {
                r.error(n, f.path("host"), "host '\(name)' has no 'run' program, so there is no process to check")
            }
        }
        let outcomes = ["running", "exit", "output"].filter { f.has($0) }
        if outcomes.isEmpty {
            r.error(node, path, "a process expectation needs one of: running: true, exit: <code>, output: <regex>")
        }
        for extra in outcomes.dropFirst() {
            r.error(f.keyNode(extra), f.path(extra),
                    "a process expectation takes exactly one of running, exit, output (already '\(outcomes[0])')")
        }
        var e = ProcessExpectation(host: host ?? "")
        if let n = f["running"] { e.running = r.bool(n, f.path("running")) }
        if let n = f["exit"] { e.exitCode = r.exitCode(n, f.path("exit")) }
        if let n = f["output"], let pattern = r.text(n, f.path("output"), what: "a regular expression"),
           checkRegex(pattern, n, f.path("output")) {
            e.output = pattern
        }
        return host == nil ? nil : e
    }

    // MARK: Probe

    private func readProbe(_ node: YAMLNode, _ path: String) -> ProbeExpectation? {
        guard let f = r.fields(node, path, allowed: Self.probeKeys) else { return nil }
        let from = r.require(f, "from", hint: " (the host the probe runs in)").flatMap {
            hostReference($0, f.path("from"))
        }
        var target: ProbeTarget?
        let given = Self.probeTargetKeys.filter { f.has($0) }
        for extra in given.dropFirst() {
            r.error(f.keyNode(extra), f.path(extra), "a probe has exactly one target: http, tcp, dns or command (already '\(given[0])')")
        }
        switch given.first {
        case "http":
            let http = f["http"]!
            target = r.text(http, f.path("http"), what: "an address such as http://api:8080/")
                .flatMap { urlTarget($0, http, f.path("http")) }.map(ProbeTarget.http)
        case "tcp":
            let tcp = f["tcp"]!
            if let s = r.text(tcp, f.path("tcp"), what: "an address such as api:8080"),
               let (host, port) = hostPort(s, tcp, f.path("tcp")),
               checkHost(host, tcp, f.path("tcp"), allowIPv4: true) {
                target = .tcp(host: host, port: port)
            }
        case "dns":
            let n = f["dns"]!
            if let name = r.text(n, f.path("dns"), what: "a name to look up") {
                if name.isEmpty || name.count > 253 || name.contains(" ") {
                    r.error(n, f.path("dns"), "not a DNS name: '\(name)'")
                } else {
                    target = .dns(name: name)
                }
            }
        case "command":
            let n = f["command"]!
            if let c = r.text(n, f.path("command"), what: "a shell command"), !c.isEmpty { target = .command(c) }
        default:
            r.error(node, path, "a probe needs a target: http: \"http://host:port/path\", tcp: \"host:port\", dns: NAME or command: \"…\"")
        }
        let every = f["every"].map { r.timeSpan($0, f.path("every"), positive: true) } ?? .milliseconds(200)
        let timeout = f["timeout"].map { r.timeSpan($0, f.path("timeout"), positive: true) } ?? .seconds(1)
        let success = r.require(f, "success", hint: " (e.g. success: \">= 99%\")").flatMap {
            r.ratio($0, f.path("success"))
        }
        guard let from, let target, let every, let timeout, let success else { return nil }
        return ProbeExpectation(from: from, target: target, every: every, timeout: timeout, success: success)
    }
}
