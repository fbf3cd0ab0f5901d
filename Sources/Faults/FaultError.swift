/// Why a fault could not be planned or played.
public struct FaultError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// A cut from a host to itself.
        case selfCut(String)
        /// A program the fault needs is not installed.
        case missingTool(String, debianPackage: String)
        /// A program the fault runs failed.
        case toolFailed(command: String, status: Int32, standardError: String)
        /// A namespace the fault acts in has no thread in the topology.
        case namespaceNotInTopology(String)
        /// The engine a fault needs cannot run here; the text says what is missing.
        case engineUnavailable(String)
        /// A userspace link fault was made without a packet engine to queue its packets to.
        case noPacketEngine
        /// A host-level fault names a host the run made no cgroup for.
        case noCgroup(host: String)
        /// A process fault names a host without a running program.
        case noProcess(host: String)
        /// CPU stress needs a worker program and none was configured.
        case noBurner
        /// A DNS fault was played without the scenario's DNS server running.
        case noDNSServer(String)
        /// An HTTP fault's target runs no stand-in service.
        case noService(String)
        /// A TLS fault's target serves no TLS.
        case noTLSService(String)
        /// A TLS fault's certificate or server context could not be made.
        case tlsSetup(host: String, detail: String)
    }

    public var code: Code

    public init(_ code: Code) { self.code = code }

    public var description: String {
        switch code {
        case .selfCut(let host):
            "a partition cannot cut \(host) from itself"
        case .missingTool(let tool, let package):
            "\(tool) is not installed; on Debian or Ubuntu: apt-get install \(package)"
        case .toolFailed(let command, let status, let standardError):
            "\(command) failed with status \(status): \(standardError.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .namespaceNotInTopology(let name):
            "namespace \(name) is not part of the topology"
        case .engineUnavailable(let why):
            why
        case .noPacketEngine:
            "the userspace link engine needs a packet engine (the router's NFQUEUE delay line) and none was given"
        case .noCgroup(let host):
            "host \(host) has no cgroup in this run (the machine offers no usable cpu controller; see faultline doctor)"
        case .noProcess(let host):
            "host \(host) has no program to signal (no 'run' command)"
        case .noBurner:
            "no stress-worker program configured (the faultline binary's _burn command)"
        case .noDNSServer(let fault):
            "dns fault \(fault) needs the scenario's DNS server, which is not running"
        case .noService(let host):
            "host \(host) runs no stand-in service for an http fault to shape"
        case .noTLSService(let host):
            "host \(host) runs no stand-in serving TLS for a tls fault to shape"
        case .tlsSetup(let host, let detail):
            "making the TLS certificate or server context of host \(host): \(detail)"
        }
    }
}
