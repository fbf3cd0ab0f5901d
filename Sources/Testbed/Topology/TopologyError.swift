import FaultlineCore
import ScenarioFormat

/// Why a topology could not be planned or used.
public struct TopologyError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case networkTooSmall(network: IPv4Network, hosts: Int, capacity: Int)
        case invalidName(String, reason: String)
        case duplicateHost(String)
        case unknownHost(String)
    }

    public var code: Code

    public init(_ code: Code) { self.code = code }

    public var description: String {
        switch code {
        case .networkTooSmall(let network, let hosts, let capacity):
            "network \(network) is too small for \(hosts) hosts: it holds a router and \(capacity) hosts"
        case .invalidName(let name, let reason):
            "invalid name \"\(name)\": \(reason)"
        case .duplicateHost(let name):
            "host \"\(name)\" is listed twice"
        case .unknownHost(let name):
            "no host named \"\(name)\" in the topology"
        }
    }
}
