import FaultlineCore
import Foundation
import Reports
import RunHistory
import ScenarioFormat
import Testing

/// CPU accounting and stress measurements, from the history into the report and the summary.
struct CPUReportTests {
    static let scenario = Scenario(
        name: "cpu", duration: .seconds(4), hosts: [ScenarioFormat.Host(name: "client", run: "./c.sh")],
        faults: [Fault(name: "busy", at: .seconds(1), duration: .seconds(2),
                       kind: .cpu(.stress(CPUStress(host: "client", load: Percentage(percent: 50), workers: 2))))])

    static let history: [Event] = [
        Event(t: .seconds(-0.5), .cpuSample(host: "client", cpuSeconds: 0.1, percent: 0)),
        Event(t: .zero, .timelineStarted),
        Event(t: .seconds(1), .faultApplied(fault: "busy", planned: .seconds(1), engine: "cgroup-v1 stress workers", detail: "x")),
        Event(t: .seconds(3), .faultHealed(fault: "busy", planned: .seconds(3))),
        Event(t: .seconds(3), .stressMeasured(fault: "busy", host: "client", workers: 2, cpuSeconds: 1.98, wallSeconds: 2)),
        Event(t: .seconds(3.5), .cpuSample(host: "client", cpuSeconds: 2.5, percent: 10)),
        Event(t: .seconds(4), .timelineEnded),
    ]

    static func report() -> RunReport {
        ReportBuilder.build(
            scenario: scenario, history: history, results: [],
            context: ReportContext(runID: "abc123", startedAt: Date(timeIntervalSince1970: 0), machine: MachineFacts(kernel: "k"),
                                   durations: ReportDurations(setup: .zero, timeline: .seconds(4), teardown: .zero)))
    }

    @Test func hostSummaryCarriesCPUSecondsAndTheAverageShare() throws {
        let client = try #require(Self.report().hosts.first)
        #expect(client.cpuSeconds == 2.5)
        // (2.5 − 0.1) s over 4 s between the first and last sample.
        #expect(client.averageCPUPercent == 60)
    }

    @Test func timelineShowsWhatEachWorkerBurned() throws {
        let busy = try #require(Self.report().timeline.first)
        #expect(busy.measuredWorkerCPUPercent == 49.5)
        let text = TextSummary.render(Self.report())
        #expect(text.contains("workers burned 49.5% each"))
        #expect(text.contains("client: 2.5s, average 60% of one CPU"))
    }

    @Test func newEventsRoundTripThroughTheirJSONLines() throws {
        for e in Self.history {
            let data = try JSONEncoder().encode(e)
            #expect(try JSONDecoder().decode(Event.self, from: data) == e)
        }
        let line = String(decoding: try JSONEncoder().encode(Self.history[0]), as: UTF8.self)
        #expect(line.contains("\"type\":\"cpu.sample\""))
    }
}
