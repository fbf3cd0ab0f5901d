import Foundation
import Testbed

/// A CPU cap on a host's own processes: the cgroup's CFS quota set to `limit` of one CPU per
/// 100 ms period at apply, and back to unlimited at heal.
public final class CPULimitEffect: FaultEffect, Sendable {
    public let cgroup: HostCgroup
    /// A share of one CPU, 0…1.
    public let fraction: Double

    public init(cgroup: HostCgroup, fraction: Double) {
        self.cgroup = cgroup
        self.fraction = fraction
    }

    public var engine: EffectEngine { .cpuQuota(controller: cgroup.controller.engine) }

    public var detail: String { cgroup.controller.limitCommand(cgroup.group, fraction: fraction) }

    /// The command heal runs.
    public var healCommand: String { cgroup.controller.limitCommand(cgroup.group, fraction: nil) }

    public func apply() throws { try cgroup.controller.setCPULimit(cgroup.group, fraction: fraction) }

    /// Removing a cap that is not there, or from a group already gone, is not an error.
    public func heal() throws {
        guard cgroup.directories.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else { return }
        try cgroup.controller.setCPULimit(cgroup.group, fraction: nil)
    }
}
