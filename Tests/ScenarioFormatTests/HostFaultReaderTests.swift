import FaultlineCore
@testable import ScenarioFormat
import Testing

/// `cpu:` and `process:` faults as read from a scenario file.
struct HostFaultReaderTests {
    static let yaml = """
        scenario: host-faults
        duration: 30s
        hosts:
          client: { run: "./client.sh" }
          etcd-1: { run: "etcd" }
        faults:
          - { name: busy, at: 0s, for: 5s, cpu: { host: client, load: 80%, workers: 2 } }
          - { name: starved, at: 6s, for: 4s, cpu: { host: client, limit: 20% } }
          - { name: freeze, at: 12s, for: 8s, process: { host: etcd-1, action: pause } }
          - { name: crash, at: 21s, process: { host: etcd-1, action: kill, signal: SIGTERM, restart: { after: 3s } } }
          - { name: bounce, at: 26s, process: { host: client, action: restart } }
          - { name: hard, at: 27s, process: { host: client, action: kill } }
        """

    @Test func everyShapeReadsToItsModelValue() throws {
        let s = try ScenarioReader.read(yaml: Self.yaml, file: "h.yaml").get()
        #expect(s.faults.map(\.kind) == [
            .cpu(.stress(CPUStress(host: "client", load: Percentage(percent: 80), workers: 2))),
            .cpu(.limit(CPULimit(host: "client", limit: Percentage(percent: 20)))),
            .process(ProcessFault(host: "etcd-1", action: .pause)),
            .process(ProcessFault(host: "etcd-1", action: .kill(signal: .TERM, restartAfter: .seconds(3)))),
            .process(ProcessFault(host: "client", action: .restart)),
            .process(ProcessFault(host: "client", action: .kill(signal: .KILL, restartAfter: nil))),
        ])
        #expect(s.faults.map(\.kind.keyword) == ["cpu", "cpu", "process", "process", "process", "process"])
    }

    @Test(arguments: [("KILL", SignalName.KILL), ("SIGKILL", .KILL), ("USR1", .USR1), ("SIGHUP", .HUP)])
    func signalNamesReadWithOrWithoutSIG(text: String, signal: SignalName) {
        #expect(SignalName(parsing: text) == signal)
    }

    @Test func signalNumbersAreLinuxs() {
        #expect(SignalName.KILL.number == 9)
        #expect(SignalName.TERM.number == 15)
        #expect(SignalName(parsing: "kill") == nil)
    }

    @Test func workersAboveFourPerCPUAreRefused() {
        let most = CPUStress.maxWorkers(cpuCount: 2)
        #expect(most == 8)
        #expect(CPUStress.maxWorkers(cpuCount: 0) == 4)
    }
}
