import FaultlineCore
/// A scenario: the small world `faultline run` builds, the faults it plays and what the client must do.
///
/// Plain data, decoded and validated by ``ScenarioReader``; every unit is already parsed.
public struct Scenario: Codable, Sendable, Equatable {
    /// The scenario's name (`scenario:` in the file); names the report folder.
    public var name: String
    public var description: String?
    /// Seeds every random decision of the run, so a run replays exactly.
    public var seed: UInt64
    /// `deterministic: true`: every random decision must replay from `seed`, so link faults with
    /// `engine: auto` use the seeded userspace engine even where netem exists.
    public var deterministic: Bool
    /// How long the timeline runs after every host is ready (t = 0).
    public var duration: TimeSpan
    /// The address block hosts are numbered from (`network:`, default 198.18.0.0/24).
    public var network: IPv4Network
    /// How long to wait for every host's `ready:` rule before giving up (default 30 s).
    public var readyTimeout: TimeSpan
    public var hosts: [Host]
    public var faults: [Fault]
    public var expectations: [Expectation]
    /// The DNS zone every host resolves through (`dns:`); host names are always in it.
    public var dns: DNSSettings
    /// The file the scenario came from, as given on the command line.
    public var file: String?
    /// The overall verdict the scenario is designed to reach (`expect-verdict:`, default pass): a
    /// scenario aimed at a deliberately broken client says `fail`, like an expected failure in a test suite.
    public var expectedVerdict: ExpectedVerdict
    /// What the scenario needs from the machine (`requires:`); checked before anything is built.
    public var requirements: [Requirement] {
        get { requires ?? [] }
        set { requires = newValue.isEmpty ? nil : newValue }
    }
    /// Stored optional, so reports of scenarios without `requires:` (and older reports) read alike.
    private var requires: [Requirement]?

    public init(
        name: String, description: String? = nil, seed: UInt64 = 0, deterministic: Bool = false, duration: TimeSpan,
        network: IPv4Network = .defaultTestbed, readyTimeout: TimeSpan = .seconds(30),
        hosts: [Host], faults: [Fault] = [], expectations: [Expectation] = [], dns: DNSSettings = DNSSettings(),
        file: String? = nil, expectedVerdict: ExpectedVerdict = .pass, requirements: [Requirement] = []
    ) {
        self.name = name
        self.description = description
        self.seed = seed
        self.deterministic = deterministic
        self.duration = duration
        self.network = network
        self.readyTimeout = readyTimeout
        self.hosts = hosts
        self.faults = faults
        self.expectations = expectations
        self.dns = dns
        self.file = file
        self.expectedVerdict = expectedVerdict
        self.requires = requirements.isEmpty ? nil : requirements
    }

    public func host(named name: String) -> Host? { hosts.first { $0.name == name } }
    public func fault(named name: String) -> Fault? { faults.first { $0.name == name } }
}

/// The overall verdict a scenario is designed to reach (`expect-verdict: pass | fail`).
public enum ExpectedVerdict: String, Codable, Sendable, Equatable, CaseIterable {
    /// Every expectation holds: a correct client.
    case pass
    /// At least one expectation fails: a deliberately broken client.
    case fail
}

/// One machine of the testbed: a network namespace, optionally running the user's program.
public struct Host: Codable, Sendable, Equatable {
    public var name: String
    /// A shell command started in the host's namespace (`sh -c`), in the scenario file's folder.
    public var run: String?
    /// When the host counts as ready; the timeline starts once every host is.
    public var ready: Readiness?
    /// Extra environment for `run`.
    public var env: [String: String]
    /// The host's resolver options (`dns:`), written to its `/etc/resolv.conf`.
    public var resolver: ResolverOptions
    /// A stand-in service Faultline serves on this host instead of a program.
    public var service: Service?
    /// The stand-in serves TLS (`tls:`), with a certificate from the run's authority.
    public var tls: ServiceTLS?

    public init(
        name: String, run: String? = nil, ready: Readiness? = nil, env: [String: String] = [:],
        resolver: ResolverOptions = .default, service: Service? = nil, tls: ServiceTLS? = nil
    ) {
        self.name = name
        self.run = run
        self.ready = ready
        self.env = env
        self.resolver = resolver
        self.service = service
        self.tls = tls
    }
}

/// A host's readiness rule: `tcp://api:8080`, `http://api:8080/health`, or `log:<regex>`.
public enum Readiness: Codable, Sendable, Equatable, CustomStringConvertible {
    /// A TCP connect to `host:port` succeeds.
    case tcp(host: String, port: UInt16)
    /// An HTTP GET answers with a status below 500.
    case http(URLTarget)
    /// A line of the host's output matches the regular expression.
    case log(pattern: String)

    public var description: String {
        switch self {
        case .tcp(let h, let p): "tcp://\(h):\(p)"
        case .http(let u): u.description
        case .log(let p): "log:\(p)"
        }
    }
}

/// An `http://host:port/path` address whose host is a scenario host name (or an IPv4 literal).
public struct URLTarget: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public var path: String

    public init(host: String, port: UInt16 = 80, path: String = "/") {
        self.host = host
        self.port = port
        self.path = path
    }

    /// Parses `http://api:8080/x`; nil for other schemes or a malformed address.
    public init?(parsing text: String) {
        guard text.hasPrefix("http://") else { return nil }
        let rest = text.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard let h = parts.first, !h.isEmpty, parts.count <= 2 else { return nil }
        var port: UInt16 = 80
        if parts.count == 2 {
            guard let p = UInt16(parts[1]), p > 0 else { return nil }
            port = p
        }
        self.init(host: String(h), port: port, path: path.isEmpty ? "/" : String(path))
    }

    public var description: String { "http://\(host):\(port)\(path)" }
}
