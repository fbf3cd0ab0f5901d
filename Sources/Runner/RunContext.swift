import Faults
import RunHistory
import ScenarioFormat
import Testbed

/// Everything the timeline reads, fixed once setup is done: the fault tasks, which run
/// concurrently, read it freely, with no lock.
struct RunContext: Sendable {
    let scenario: Scenario
    let clock: RunClock
    let history: History
    let topology: Topology
    let teardown: TeardownStack
    let interruption: Interruption
    /// Seed, determinism, kernel capabilities and report folder, for the faults.
    let faultEnvironment: FaultEnvironment
    /// What `cpu:`, `process:` and `http:` faults may touch.
    let hosts: HostFaultContext
    /// The probes, stopped when the timeline ends.
    let probers: [Prober]
}
