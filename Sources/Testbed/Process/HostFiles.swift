import Foundation
import ScenarioFormat

/// The files a host's processes see as `/etc/hosts` and `/etc/resolv.conf`, written under the
/// run's state folder and bind-mounted over the real ones in a private mount namespace
/// (what `ip netns exec` does with `/etc/netns/NAME/`).
public struct HostFiles: Sendable, Equatable {
    public var hosts: String
    public var resolvConf: String

    /// `/etc/hosts` naming every host of the scenario, and a resolver that answers nothing yet.
    public static func make(host: String, addresses: [(name: String, address: IPv4Address)]) -> HostFiles {
        var lines = ["# Faultline testbed: every host of the scenario.", "127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost"]
        for (name, address) in addresses {
            lines.append("\(address)\t\(name)")
        }
        let resolv = """
            # Faultline testbed (host \(host)): names resolve from /etc/hosts.
            nameserver 127.0.0.1
            options timeout:1 attempts:1

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
