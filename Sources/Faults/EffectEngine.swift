/// The mechanism a ``FaultEffect`` acts through. The history and the reports carry its
/// ``description`` (`fib-rule`, `netem`, `cgroup-v2 cpu quota`), which stays as it was when engines were strings.
public enum EffectEngine: Sendable, Hashable, CustomStringConvertible {
    /// Blackhole FIB rules in the router: `fib-rule`.
    case fibRule
    /// REJECT rules in the router's netfilter: `iptables`.
    case iptables
    /// A link fault's engine: `netem`, `userspace` or `htb`.
    case link(LinkEngine)
    /// The scenario's DNS server switching its rules: `dns-server`.
    case dnsServer
    /// Signals to the host's program: `signal`.
    case signal
    /// The host's stand-in service shaping its answers: `stand-in`.
    case standIn
    /// A CPU quota on the host's cgroup, named by its controller: `cgroup-v2 cpu quota`.
    case cpuQuota(controller: String)
    /// Workers burning CPU in the host's cgroup: `cgroup-v2 stress workers`.
    case stressWorkers(controller: String)

    public var description: String {
        switch self {
        case .fibRule: "fib-rule"
        case .iptables: "iptables"
        case .link(let engine): engine.rawValue
        case .dnsServer: "dns-server"
        case .signal: "signal"
        case .standIn: "stand-in"
        case .cpuQuota(let controller): "\(controller) cpu quota"
        case .stressWorkers(let controller): "\(controller) stress workers"
        }
    }
}
