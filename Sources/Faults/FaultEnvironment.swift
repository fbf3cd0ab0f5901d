import DNS
import Foundation

/// What a run tells the faults beyond the fault itself: the seed, whether the run must replay,
/// what the kernel can do, and where per-run files (decision logs) go.
public struct FaultEnvironment: Sendable {
    /// The scenario's seed; the userspace link engine derives each pair's random stream from it.
    public var seed: UInt64
    /// `deterministic: true` in the scenario: `engine: auto` picks the seeded userspace engine.
    public var deterministic: Bool
    /// Whether the kernel has netem (found by ``LinkCapabilities/probe(backend:namespace:)``).
    public var netemAvailable: Bool
    /// The report folder; nil writes no decision logs.
    public var logDirectory: URL?
    /// The rule set of the scenario's DNS server, which `dns` faults switch; nil when none runs.
    public var dnsRules: DNSRuleSet?
    /// Who uses which root qdisc in the run's router; copies of an environment share it, so every
    /// fault of a run counts in one place.
    public let sharedRoots: SharedRoots

    public init(
        seed: UInt64 = 0, deterministic: Bool = false, netemAvailable: Bool = false, logDirectory: URL? = nil,
        dnsRules: DNSRuleSet? = nil, sharedRoots: SharedRoots = SharedRoots()
    ) {
        self.dnsRules = dnsRules
        self.sharedRoots = sharedRoots
        self.seed = seed
        self.deterministic = deterministic
        self.netemAvailable = netemAvailable
        self.logDirectory = logDirectory
    }
}
