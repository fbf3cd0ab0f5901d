import FaultlineCore
import Faults
import Netlink
import ScenarioFormat
import Testbed
import Testing

struct CPUFaultPlanTests {
    @Test func stressPlanPassesLoadWorkersPeriodAndCPUsToTheBurner() throws {
        let plan = try CPUStressPlanner.plan(
            CPUStress(host: "client", load: Percentage(percent: 80), workers: 2), burner: ["/bin/faultline", "_burn"],
            cpus: [0, 1])
        #expect(plan.argv == ["/bin/faultline", "_burn", "--load", "0.8", "--workers", "2", "--period-ms", "100", "--cpus", "0,1"])
        #expect(plan.period == .milliseconds(100))
    }

    @Test func stressWithoutABurnerIsAnError() {
        #expect(throws: FaultError(.noBurner)) {
            try CPUStressPlanner.plan(CPUStress(host: "c", load: Percentage(percent: 10)), burner: [], cpus: [])
        }
    }

    @Test(arguments: [(0.2, "20000"), (0.005, "1000"), (1.0, "100000")])
    func quotaIsAShareOfTheHundredMillisecondPeriod(fraction: Double, quota: String) {
        #expect(String(CgroupLimit.quotaMicroseconds(fraction: fraction)) == quota)
        let v1 = CgroupV1(cpuRoot: "/cg/cpu", cpuacctRoot: "/cg/cpuacct")
        #expect(v1.limitCommand("faultline/r/c", fraction: fraction)
            == "echo \(quota) > /cg/cpu/faultline/r/c/cpu.cfs_quota_us  # period 100000 us")
        let v2 = CgroupV2(root: "/cg")
        #expect(v2.limitCommand("faultline/r/c", fraction: fraction) == "echo '\(quota) 100000' > /cg/faultline/r/c/cpu.max")
        #expect(v2.limitCommand("faultline/r/c", fraction: nil) == "echo 'max 100000' > /cg/faultline/r/c/cpu.max")
    }

    @Test func aLimitFaultNeedsTheHostsCgroup() throws {
        let plan = try TopologyPlan.make(runID: "x", hosts: ["c"], network: .defaultTestbed)
        let backend = RecordingBackend()
        #expect(throws: FaultError(.noCgroup(host: "c"))) {
            try FaultEngine.make(
                .cpu(.limit(CPULimit(host: "c", limit: Percentage(percent: 20)))), plan: plan,
                backend: backend, netfilter: RecordingNetfilter(into: backend))
        }
    }

    @Test func hostCgroupJoinsBeforeExec() {
        let cg = HostCgroup(host: "client", runID: "ab12cd", controller: CgroupV1(cpuRoot: "/c/cpu", cpuacctRoot: "/c/acct"))
        #expect(cg.group == "faultline/ab12cd/client")
        #expect(cg.joining(["/bin/sh", "-c", "x"]) == [
            "/bin/sh", "-c",
            "echo $$ > '/c/cpu/faultline/ab12cd/client/cgroup.procs' && echo $$ > '/c/acct/faultline/ab12cd/client/cgroup.procs' && exec \"$@\"",
            "faultline-join", "/bin/sh", "-c", "x",
        ])
    }
}
