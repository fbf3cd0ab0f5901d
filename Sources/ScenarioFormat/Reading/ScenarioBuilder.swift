import FaultlineCore
import Foundation

/// Builds a ``Scenario`` from a composed YAML tree, collecting every problem on the way.
///
/// Reading happens in passes so that each problem is reported once, where it can be understood:
/// the shape of each section first (unknown keys, types, units, host references), then the checks
/// that relate sections to each other (timing, overlapping faults, windows) on whatever was readable.
final class ScenarioBuilder {
    static let topKeys = ["scenario", "description", "seed", "deterministic", "duration", "network", "ready-timeout",
                          "hosts", "dns", "faults", "expect", "expect-verdict", "requires"]
    static let hostKeys = ["run", "ready", "env", "dns"] + serviceKeys

    let r: NodeReader
    /// Host names in file order, known before any host body is read so references can be checked.
    var hostNames: [String] = []
    var hosts: [Host] = []
    var duration: TimeSpan?
    /// `deterministic: true`, with its node, once read (link faults check their engine against it).
    var deterministicNode: YAMLNode?
    var faults: [FaultDraft] = []
    var expectations: [ExpectationDraft] = []

    init(reader: NodeReader) { self.r = reader }

    /// The scenario, or nil when an error was found (the reader holds the problems).
    func build(_ root: YAMLNode?) -> Scenario? {
        guard let root else {
            r.error(nil, "", "the file is empty; a scenario needs at least 'scenario', 'duration' and 'hosts'")
            return nil
        }
        guard let top = r.fields(root, "", allowed: Self.topKeys) else { return nil }

        let name = r.require(top, "scenario").flatMap { scenarioName($0, top.path("scenario")) }
        let description = top["description"].flatMap { r.text($0, top.path("description")) }
        let seed = top["seed"].map { r.unsigned($0, top.path("seed")) } ?? 0
        let deterministic = top["deterministic"].map { r.bool($0, top.path("deterministic")) } ?? false
        if deterministic == true { deterministicNode = top["deterministic"] }
        duration = r.require(top, "duration").flatMap { r.timeSpan($0, top.path("duration"), positive: true) }
        let network = top["network"].map { readNetwork($0, top.path("network")) } ?? .defaultTestbed
        let readyTimeout = top["ready-timeout"].map { r.timeSpan($0, top.path("ready-timeout"), positive: true) }
            ?? .seconds(30)

        let expectedVerdict = top["expect-verdict"].map { readExpectedVerdict($0, top.path("expect-verdict")) } ?? .pass
        let requirements = top["requires"].map { readRequirements($0, top.path("requires")) } ?? []
        if let hostsNode = r.require(top, "hosts") { readHosts(hostsNode, top.path("hosts")) }
        if let network, let node = top["network"] ?? top["hosts"] {
            checkNetworkSize(network, node, top.has("network") ? top.path("network") : top.path("hosts"))
        }
        let dns = top["dns"].map { readDNS($0, top.path("dns")) } ?? DNSSettings()
        if let node = top["faults"] { readFaults(node, top.path("faults")) }
        if let node = top["expect"] { readExpectations(node, top.path("expect")) }
        checkTimeline()
        r.reportUnwalkedDuplicates()

        guard !r.hasErrors, let name, let seed, let deterministic, let duration, let network, let readyTimeout, let dns,
              let expectedVerdict else {
            return nil
        }
        return Scenario(
            name: name, description: description, seed: seed, deterministic: deterministic, duration: duration, network: network,
            readyTimeout: readyTimeout, hosts: hosts, faults: faults.compactMap(\.fault),
            expectations: expectations.compactMap(\.expectation), dns: dns, file: r.file,
            expectedVerdict: expectedVerdict, requirements: requirements)
    }

    // MARK: Top-level values

    private func readExpectedVerdict(_ node: YAMLNode, _ path: String) -> ExpectedVerdict? {
        guard let s = r.text(node, path, what: "a verdict") else { return nil }
        if let v = ExpectedVerdict(rawValue: s) { return v }
        let allowed = ExpectedVerdict.allCases.map(\.rawValue)
        r.error(node, path, "unknown verdict '\(s)'; allowed: \(allowed.listed)\(Suggestion.hint(for: s, in: allowed))")
        return nil
    }

    private func scenarioName(_ node: YAMLNode, _ path: String) -> String? {
        guard let s = r.text(node, path) else { return nil }
        let allowed = s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        guard !s.isEmpty, allowed else {
            r.error(node, path, "scenario name '\(s)' may use only a-z, 0-9, '-' and '_' (it names a folder)")
            return nil
        }
        return s
    }

    private func readNetwork(_ node: YAMLNode, _ path: String) -> IPv4Network? {
        guard let s = r.text(node, path, what: "an IPv4 network such as 198.18.0.0/24") else { return nil }
        guard let n = IPv4Network(parsing: s) else {
            r.error(node, path, "not an IPv4 network: '\(s)'; write address/prefix with the host bits zero, "
                + "e.g. 198.18.0.0/24")
            return nil
        }
        return n
    }

    /// Hosts are numbered from the block; it also holds the network address and the router.
    private func checkNetworkSize(_ network: IPv4Network, _ node: YAMLNode, _ path: String) {
        let needed = UInt64(hostNames.count) + 2
        if network.size < needed {
            r.error(node, path, "network \(network) holds \(network.size) addresses; \(hostNames.count) hosts "
                + "need at least \(needed) (one each, plus the network address and the router)")
        }
    }

    // MARK: Hosts

    private func readHosts(_ node: YAMLNode, _ path: String) {
        let errorsBefore = r.errorCount
        guard let fields = r.fields(node, path, allowed: []) else { return }
        if fields.entries.isEmpty, r.errorCount == errorsBefore {
            r.error(node, path, "a scenario needs at least one host")
        }
        for entry in fields.entries where hostName(entry.key, entry.keyNode, fields.path(entry.key)) {
            hostNames.append(entry.key)
        }
        for entry in fields.entries where hostNames.contains(entry.key) {
            if let host = readHost(entry.key, entry.value, fields.path(entry.key)) { hosts.append(host) }
        }
    }

    private func hostName(_ name: String, _ node: YAMLNode, _ path: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        let wellFormed = scalars.first.map { ("a"..."z").contains($0) } == true && scalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
        }
        if !wellFormed || scalars.count > 20 {
            r.error(node, path, "host name '\(name)' must start with a-z, continue with a-z, 0-9 or '-', "
                + "and be at most 20 characters")
            return false
        }
        if name == "router" {
            r.error(node, path, "host name 'router' is reserved for the testbed's own router; choose another")
            return false
        }
        return true
    }

    private func readHost(_ name: String, _ node: YAMLNode, _ path: String) -> Host? {
        guard let f = r.fields(node, path, allowed: Self.hostKeys, nullIsEmpty: true) else { return nil }
        var host = Host(name: name)
        if let n = f["run"] { host.run = r.text(n, f.path("run"), what: "a shell command") }
        if let n = f["ready"] { host.ready = readiness(n, f.path("ready")) }
        if let n = f["env"], let env = r.fields(n, f.path("env"), allowed: [], nullIsEmpty: true) {
            for e in env.entries {
                if let v = r.text(e.value, env.path(e.key)) { host.env[e.key] = v }
            }
        }
        if let n = f["dns"], let options = readResolver(n, f.path("dns")) { host.resolver = options }
        host.service = readService(f, host: name)
        if host.service != nil, let n = f["tls"] { host.tls = readServiceTLS(n, f.path("tls")) }
        if host.ready != nil, host.run == nil, !f.has("service"), let n = f.keyNode("ready") {
            r.warning(n, f.path("ready"), "host '\(name)' has a 'ready' rule but no 'run' program")
        }
        return host
    }

    // MARK: References to hosts

    /// A host name that must be defined under `hosts:`.
    func hostReference(_ node: YAMLNode, _ path: String) -> String? {
        guard let name = r.text(node, path, what: "a host name") else { return nil }
        return checkHost(name, node, path) ? name : nil
    }

    /// Whether `name` is a defined host; a problem with a suggestion otherwise.
    func checkHost(_ name: String, _ node: YAMLNode, _ path: String, allowIPv4: Bool = false) -> Bool {
        if hostNames.contains(name) || (allowIPv4 && IPv4Address(parsing: name) != nil) { return true }
        let known = hostNames.isEmpty ? "none defined" : hostNames.listed
        r.error(node, path, "unknown host '\(name)'; hosts: \(known)\(Suggestion.hint(for: name, in: hostNames))")
        return false
    }

    /// `tcp://api:8080`, `http://api:8080/health` or `log:<regex>`.
    private func readiness(_ node: YAMLNode, _ path: String) -> Readiness? {
        guard let s = r.text(node, path, what: "a readiness rule") else { return nil }
        if s.hasPrefix("tcp://") {
            guard let (host, port) = hostPort(String(s.dropFirst(6)), node, path) else { return nil }
            return checkHost(host, node, path, allowIPv4: true) ? .tcp(host: host, port: port) : nil
        }
        if s.hasPrefix("http://") {
            return urlTarget(s, node, path).map(Readiness.http)
        }
        if s.hasPrefix("log:") {
            let pattern = String(s.dropFirst(4))
            return checkRegex(pattern, node, path) ? .log(pattern: pattern) : nil
        }
        r.error(node, path, "unknown readiness rule '\(s)'; allowed: tcp://host:port, http://host:port/path, "
            + "log:<regex>")
        return nil
    }

    /// `host:port`, with the port in 1...65535.
    func hostPort(_ s: String, _ node: YAMLNode, _ path: String) -> (String, UInt16)? {
        guard let colon = s.lastIndex(of: ":"), colon != s.startIndex else {
            r.error(node, path, "'\(s)' needs a host and a port, e.g. api:8080")
            return nil
        }
        let portText = s[s.index(after: colon)...]
        guard let port = UInt16(portText), port > 0 else {
            r.error(node, path, "port '\(portText)' must be a number from 1 to 65535")
            return nil
        }
        return (String(s[..<colon]), port)
    }

    /// An `http://host:port/path` address whose host is a scenario host or an IPv4 literal.
    func urlTarget(_ s: String, _ node: YAMLNode, _ path: String) -> URLTarget? {
        guard let url = URLTarget(parsing: s) else {
            let authority = s.dropFirst("http://".count).prefix { $0 != "/" }
            if let colon = authority.firstIndex(of: ":") {
                let port = authority[authority.index(after: colon)...]
                if UInt16(port).map({ $0 > 0 }) != true {
                    r.error(node, path, "port '\(port)' in '\(s)' must be a number from 1 to 65535")
                    return nil
                }
            }
            r.error(node, path, "not an http address: '\(s)'; write http://host:port/path, e.g. http://api:8080/")
            return nil
        }
        return checkHost(url.host, node, path, allowIPv4: true) ? url : nil
    }

    func checkRegex(_ pattern: String, _ node: YAMLNode, _ path: String) -> Bool {
        if pattern.isEmpty {
            r.error(node, path, "the pattern is empty; write a regular expression")
            return false
        }
        if (try? NSRegularExpression(pattern: pattern)) == nil {
            r.error(node, path, "not a valid regular expression: '\(pattern)'")
            return false
        }
        return true
    }
}
