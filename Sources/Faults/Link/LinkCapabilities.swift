import LinuxSystem
import Netlink
import ScenarioFormat

/// What the kernel offers link faults, found by trying each qdisc on `lo` of a namespace (and
/// removing it) and binding an NFQUEUE — never by reading kernel config files.
public struct LinkCapabilities: Sendable, Equatable {
    public var netem: Bool
    public var htb: Bool
    public var tbf: Bool
    /// What each try answered, for `faultline doctor`.
    public var details: [String: String]

    /// Tries netem, htb and tbf on `lo` in `namespace`, through `backend`.
    public static func probe(backend: any RouteNetlink, namespace: NetworkNamespace) -> LinkCapabilities {
        var details: [String: String] = [:]
        func attempt(_ kind: Qdisc.Kind, _ name: String) -> Bool {
            let q = Qdisc(device: "lo", handle: TrafficControlHandle(0xF1), kind: kind)
            do {
                try backend.addQdisc(q, in: namespace)
                try? backend.deleteQdisc(q, in: namespace)
                details[name] = "added and removed a \(name) qdisc on lo in \(namespace.name)"
                return true
            } catch {
                details[name] = "\(error)"
                return false
            }
        }
        var delay = Netem()
        delay.delayMicroseconds = 1000
        let netem = attempt(.netem(delay), "netem")
        let htb = attempt(.htb(defaultClass: 0), "htb")
        let tbf = attempt(.tbf(bytesPerSecond: 125_000, burst: 10_000, limit: 10_000), "tbf")
        return LinkCapabilities(netem: netem, htb: htb, tbf: tbf, details: details)
    }

    /// Binds and unbinds an NFQUEUE in the namespace `thread` lives in; nil when it works, else why not.
    public static func queueProblem(on thread: NamespaceThread) -> String? {
        do {
            try thread.run {
                let q = try NetfilterQueue(namespace: thread.namespace.name, receiveBuffer: 1 << 20)
                try q.bind(queue: 65_100, copyBytes: 0, maxLength: 16)
                q.unbindAll()
            }
            return nil
        } catch {
            return "NFQUEUE is not usable (\(error)); the kernel needs nfnetlink_queue"
        }
    }

    /// The engine `engine: auto` picks on this machine, in words for `faultline doctor`.
    public var autoEngineSummary: String {
        netem ? "netem (kernel); userspace NFQUEUE when deterministic: true or for gilbert-elliott/ports/protocol"
            : "userspace NFQUEUE delay line (netem is not in this kernel)"
    }
}
