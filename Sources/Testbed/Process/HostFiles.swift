import FaultlineCore
import Foundation
import ScenarioFormat

/// The files a host's processes see as `/etc/hosts` and `/etc/resolv.conf`, written under the
/// run's state folder and bind-mounted over the real ones in a private mount namespace
/// (what `ip netns exec` does with `/etc/netns/NAME/`).
public struct HostFiles: Sendable, Equatable {
    public var hosts: String
    public var resolvConf: String

    /// `/etc/hosts` with only `localhost` and the host's own name, and a resolv.conf pointing at
    /// the scenario's DNS server: every other name, the scenario's hosts included, resolves
    /// through DNS, so DNS faults reach clients that use the system resolver (glibc reads
    /// `/etc/hosts` first, and a name found there never reaches the server).
    public static func make(
        host: String, address: IPv4Address, nameserver: IPv4Address, resolver: ResolverOptions = .default
    ) -> HostFiles {
        let lines = [
            "# Faultline testbed: the host's own name; every other name resolves through DNS (\(nameserver)).",
            "127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost", "\(address)\t\(host)",
        ]
        let seconds = max(1, resolver.timeout.nanoseconds / 1_000_000_000)
        let resolv = """
            # Faultline testbed (host \(host)): the scenario's DNS server.
            nameserver \(nameserver)
            options timeout:\(seconds) attempts:\(resolver.attempts)

            """
        return HostFiles(hosts: lines.joined(separator: "\n") + "\n", resolvConf: resolv)
    }

    /// Writes both files into `directory` and returns the (source, target) bind mounts.
    public func write(to directory: String) throws -> [BindMount] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let hostsPath = directory + "/hosts"
        let resolvPath = directory + "/resolv.conf"
        try hosts.write(toFile: hostsPath, atomically: true, encoding: .utf8)
        try resolvConf.write(toFile: resolvPath, atomically: true, encoding: .utf8)
        return [BindMount(source: hostsPath, target: "/etc/hosts"), BindMount(source: resolvPath, target: "/etc/resolv.conf")]
    }
}

/// A file mounted over another in a host's private mount namespace.
public struct BindMount: Sendable, Equatable {
    public var source: String
    public var target: String

    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }
}
