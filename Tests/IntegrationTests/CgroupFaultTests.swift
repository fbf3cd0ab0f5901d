import Faults
import Foundation
import Glibc
import ScenarioFormat
import Testbed
import Testing

/// The machine's cgroup engine, if any (found the way the runner finds it).
enum CgroupSupport {
    static let controller: (any CgroupController)? = try? CgroupProbe.detect().get()
    static var isV1: Bool { controller is CgroupV1 }
    static var isV2: Bool { controller is CgroupV2 }
    static var usable: Bool { TopologyFixture.isRoot && controller != nil }

    /// A host cgroup under a fresh test run id; removed (with the run folder) by `remove(_:)`.
    static func make(_ host: String = "h") throws -> HostCgroup {
        let runID = "t" + String(format: "%05x", UInt32.random(in: 0..<0x10_0000))
        let cg = HostCgroup(host: host, runID: runID, controller: controller!)
        try cg.create()
        return cg
    }

    static func remove(_ cg: HostCgroup) -> [String] {
        let runDirs = cg.controller.directories(of: (cg.group as NSString).deletingLastPathComponent)
        return CgroupCleanup.remove(directories: cg.directories + runDirs)
    }
}

/// Fidelity of the CPU faults, measured from the kernel's own accounting.
@Suite(.enabled(if: CgroupSupport.usable, "needs root and a cgroup cpu controller"), .serialized)
struct CgroupFaultTests {
    @Test func fiftyPercentLoadOnOneWorkerBurnsHalfACPU() throws {
        let cg = try CgroupSupport.make()
        defer { #expect(CgroupSupport.remove(cg).isEmpty) }
        let plan = try CPUStressPlanner.plan(
            CPUStress(host: "h", load: Percentage(percent: 50), workers: 1), burner: [RunCommandTests.binary, "_burn"],
            cpus: CPUAffinity.of(0) ?? [])
        let effect = CPUStressEffect(plan: plan, cgroup: cg)
        try effect.apply()
        let pid = try #require(effect.workerPID)
        usleep(200_000)
        // The worker sits in the host's cgroup (it joined before exec).
        #expect(CgroupCleanup.processes(in: cg.directories[0]).contains(pid))
        usleep(2_800_000)
        try effect.heal()
        let m = try #require(effect.measurement)
        #expect(m.wallSeconds >= 2.9)
        #expect((45...55).contains(m.percentPerWorker), "measured \(m.percentPerWorker)% of one CPU")
        // Healed: the worker is gone.
        #expect(!Reaper.isLive(pid))
        try effect.heal()
    }

    @Test func limitOfTwentyPercentHoldsABusyLoopToAFifthOfACPU() throws {
        let cg = try CgroupSupport.make()
        defer { #expect(CgroupSupport.remove(cg).isEmpty) }
        let loop = try Spawn.start(cg.joining(["/bin/sh", "-c", "while :; do :; done"]), env: [:], capture: false)
        defer {
            kill(loop.pid, SIGKILL)
            _ = Spawn.wait(loop.pid)
        }
        let effect = CPULimitEffect(cgroup: cg, fraction: 0.2)
        try effect.apply()
        usleep(300_000)
        let start = (try cg.usageSeconds(), Date())
        usleep(2_500_000)
        let share = (try cg.usageSeconds() - start.0) / Date().timeIntervalSince(start.1) * 100
        #expect((18...22).contains(share), "measured \(share)% of one CPU")
        try effect.heal()
        #expect(!effect.detail.isEmpty && effect.healCommand.contains(CgroupSupport.isV2 ? "max" : "-1"))
    }

    @Test(.enabled(if: CgroupSupport.isV1, "this machine's cpu controller is on cgroup v2"))
    func v1WritesTheQuotaAndPeriodFiles() throws {
        let cg = try CgroupSupport.make()
        defer { #expect(CgroupSupport.remove(cg).isEmpty) }
        let v1 = try #require(cg.controller as? CgroupV1)
        try v1.setCPULimit(cg.group, fraction: 0.2)
        let dir = "\(v1.cpuRoot)/\(cg.group)"
        #expect(try String(contentsOfFile: dir + "/cpu.cfs_quota_us", encoding: .utf8) == "20000\n")
        #expect(try String(contentsOfFile: dir + "/cpu.cfs_period_us", encoding: .utf8) == "100000\n")
        try v1.setCPULimit(cg.group, fraction: nil)
        #expect(try String(contentsOfFile: dir + "/cpu.cfs_quota_us", encoding: .utf8) == "-1\n")
    }

    @Test(.enabled(if: CgroupSupport.isV2, "this machine's cpu controller is on cgroup v1 (no cpu in the unified hierarchy)"))
    func v2WritesCPUMax() throws {
        let cg = try CgroupSupport.make()
        defer { #expect(CgroupSupport.remove(cg).isEmpty) }
        let v2 = try #require(cg.controller as? CgroupV2)
        try v2.setCPULimit(cg.group, fraction: 0.2)
        #expect(try String(contentsOfFile: "\(v2.root)/\(cg.group)/cpu.max", encoding: .utf8) == "20000 100000\n")
        try v2.setCPULimit(cg.group, fraction: nil)
        #expect(try String(contentsOfFile: "\(v2.root)/\(cg.group)/cpu.max", encoding: .utf8) == "max 100000\n")
    }

    @Test func removingAGroupEndsStoppedProcessesInIt() throws {
        let cg = try CgroupSupport.make()
        let child = try Spawn.start(cg.joining(["/bin/sleep", "600"]), env: [:], capture: false)
        usleep(100_000)
        kill(child.pid, SIGSTOP)
        #expect(CgroupSupport.remove(cg).isEmpty)
        #expect(Spawn.wait(child.pid) == .signaled(SIGKILL))
        for dir in cg.directories { #expect(!FileManager.default.fileExists(atPath: dir)) }
    }
}
