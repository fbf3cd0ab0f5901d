import Faults
import Testing

struct EffectEngineTests {
    /// The names the history and the reports have always carried.
    @Test(arguments: [
        (EffectEngine.fibRule, "fib-rule"), (.iptables, "iptables"), (.link(.netem), "netem"), (.link(.userspace), "userspace"),
        (.link(.htb), "htb"), (.dnsServer, "dns-server"), (.signal, "signal"), (.standIn, "stand-in"),
        (.cpuQuota(controller: "cgroup-v2"), "cgroup-v2 cpu quota"), (.stressWorkers(controller: "cgroup-v1"), "cgroup-v1 stress workers"),
    ])
    func enginesAreNamedAsBefore(engine: EffectEngine, name: String) {
        #expect(engine.description == name)
    }
}
