import Testbed
import Testing

struct CgroupProbeTests {
    static let hybrid = """
        tmpfs /sys/fs/cgroup tmpfs rw 0 0
        cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
        cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0
        cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
        """

    @Test func v1WithSeparateAccountingWhenTheUnifiedHierarchyHasNoCPU() throws {
        let found = try CgroupProbe.detect(mounts: Self.hybrid) { $0.hasSuffix("cgroup.controllers") ? "\n" : nil }.get()
        let v1 = try #require(found as? CgroupV1)
        #expect(v1.cpuRoot == "/sys/fs/cgroup/cpu")
        #expect(v1.cpuacctRoot == "/sys/fs/cgroup/cpuacct")
        #expect(v1.directories(of: "faultline/r/h") == ["/sys/fs/cgroup/cpu/faultline/r/h", "/sys/fs/cgroup/cpuacct/faultline/r/h"])
    }

    @Test func v1CoMountedIsOneFolder() throws {
        let mounts = "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0"
        let v1 = try #require(try CgroupProbe.detect(mounts: mounts) { _ in nil }.get() as? CgroupV1)
        #expect(v1.directories(of: "g") == ["/sys/fs/cgroup/cpu,cpuacct/g"])
    }

    @Test func v2WhenTheUnifiedHierarchyOffersCPU() throws {
        let mounts = "cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0"
        let found = try CgroupProbe.detect(mounts: mounts) { $0 == "/sys/fs/cgroup/cgroup.controllers" ? "cpuset cpu io memory pids\n" : nil }.get()
        #expect((found as? CgroupV2)?.root == "/sys/fs/cgroup")
        #expect(found.procsFiles(of: "faultline/r/h") == ["/sys/fs/cgroup/faultline/r/h/cgroup.procs"])
    }

    @Test func noCPUControllerIsAReasonNotACrash() {
        let result = CgroupProbe.detect(mounts: "proc /proc proc rw 0 0") { _ in nil }
        guard case .failure(let error) = result else {
            Issue.record("expected no controller")
            return
        }
        #expect("\(error)".contains("no cgroup2 mount with cpu"))
    }
}
