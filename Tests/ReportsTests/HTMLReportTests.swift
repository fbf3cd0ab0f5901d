import Foundation
import Reports
import RunHistory
import Testing

@Suite struct HTMLReportTests {
    /// The fixture run plus the client's own traffic, so every kind of lane is drawn.
    static let events: [Event] = Fixtures.history + [
        Event(t: .seconds(1), .connection(ConnectionEvent(connection: 1, from: "client", to: "api", sourcePort: 40000, port: 8080, phase: .attempt))),
        Event(t: .seconds(1.001), .connection(ConnectionEvent(connection: 1, from: "client", to: "api", sourcePort: 40000, port: 8080, phase: .established))),
        Event(t: .seconds(1.002), .httpRequest(HTTPRequestEvent(exchange: 1, connection: 1, from: "client", to: "api", port: 8080, method: "GET", path: "/cart", via: "wire"))),
        Event(t: .seconds(1.02), .httpResponse(HTTPResponseEvent(exchange: 1, connection: 1, from: "client", to: "api", status: 200, latency: .milliseconds(18), via: "wire"))),
        Event(t: .seconds(6), .connection(ConnectionEvent(connection: 2, from: "client", to: "api", sourcePort: 40002, port: 8080, phase: .attempt))),
        Event(t: .seconds(7), .connection(ConnectionEvent(connection: 2, from: "client", to: "api", sourcePort: 40002, port: 8080, phase: .synRetransmit))),
        Event(t: .seconds(11), .httpResponse(HTTPResponseEvent(exchange: 2, from: "client", to: "api", status: 503, latency: .milliseconds(4), via: "wire"))),
        Event(t: .seconds(6.5), .note(message: "teardown: <script>alert(1)</script>")),
        Event(t: .seconds(6.6), .dnsQuery(
            host: "client", name: "api.internal", type: "A", transport: "udp", outcome: .answered(.servFail), answers: [],
            truncated: false, latency: .milliseconds(1), fault: "dns-down")),
    ].sorted { $0.t < $1.t }

    static func page(history: [Event] = events) -> String {
        HTMLReport.render(Fixtures.report(history: history), events: history, scenarioSource: "scenario: checkout\n# a < b & c\n")
    }

    @Test func pageIsSelfContained() {
        let html = Self.page()
        for external in ["src=\"http", "href=\"http", "@import", "url("] { #expect(!html.contains(external), "\(external)") }
        #expect(html.contains("<svg id=\"timeline-svg\""))
    }

    @Test func drawsABandPerAppliedFaultAndLanesForTrafficProbesAndProcesses() {
        let html = Self.page()
        #expect(html.components(separatedBy: "class=\"fault-band").count - 1 == 1)  // `late` never applied
        #expect(html.contains("never applied: adding fib rule: Operation not permitted"))
        #expect(html.contains("class=\"lane lane-traffic\""))
        #expect(html.contains("503 in 0.004s"))
        #expect(html.contains("class=\"lane lane-probe\""))
        #expect(html.contains("<polyline class=\"latency\""))
        #expect(html.contains("process api"))
    }

    @Test func everyExpectationWithAWindowLinksToItsWindow() {
        let html = Self.page()
        let report = Fixtures.report(history: Self.events)
        for (i, r) in report.expectations.enumerated() where r.window != nil {
            #expect(html.contains("data-window=\"win-\(i)\""))
            #expect(html.contains("<g class=\"window\" id=\"win-\(i)\">"))
        }
    }

    @Test func escapesEverythingItQuotes() {
        let html = Self.page()
        #expect(!html.contains("<script>alert(1)</script>"))
        #expect(html.contains("# a &lt; b &amp; c"))
    }

    @Test func unknownEventTypesGetTheirOwnLane() {
        var lanes = TimelineLanes(report: Fixtures.report(), events: Self.events)
        #expect(lanes.lanes.map(\.kind).first == .fault)
        #expect(lanes.lanes.contains { $0.title == "notes" })
        let dns = lanes.lanes.first { $0.title == "dns.query client" }
        #expect(dns?.marks.map(\.tone) == [.fail])
        #expect(dns?.marks.first?.label.contains("name: api.internal") == true)
        lanes = TimelineLanes(report: Fixtures.report(history: Fixtures.interruptedHistory), events: Fixtures.interruptedHistory)
        #expect(lanes.markers.contains { $0.label == "SIGINT" })
    }

    @Test func interruptedPageSaysIncomplete() {
        let html = Self.page(history: Fixtures.interruptedHistory)
        #expect(html.contains("INCOMPLETE: interrupted by SIGINT"))
        #expect(html.contains("fault-band unhealed"))
    }

    @Test func theWireLanesDrawUDPFlowsAndDNSAndTeardownExitsAreNotFailures() {
        let events = (Self.events + [
            Event(t: .seconds(2), .udpFlow(UDPFlowEvent(flow: 1, from: "client", to: "api", sourcePort: 40100, port: 9000, phase: .started))),
            Event(t: .seconds(2.1), .udpFlow(UDPFlowEvent(flow: 1, from: "client", to: "api", sourcePort: 40100, port: 9000, phase: .unreachable,
                                                          reason: "port unreachable from api"))),
            Event(t: .seconds(3), .dnsMessage(DNSMessageEvent(from: "client", to: "api", id: 7, response: false, name: "db.internal", type: "A",
                                                              transport: "udp"))),
            Event(t: .seconds(3.001), .dnsMessage(DNSMessageEvent(from: "client", to: "api", id: 7, response: true, name: "db.internal", type: "A",
                                                                  transport: "udp", rcode: .nxDomain, answers: [], latency: .milliseconds(1)))),
            Event(t: .seconds(5), .processExited(host: "client", pid: 9, status: .exited(2))),
            Event(t: .seconds(20.1), .processExited(host: "api", pid: 42, status: .signaled(15))),
        ]).sorted { $0.t < $1.t }
        let lanes = TimelineLanes(report: Fixtures.report(history: events), events: events)
        let traffic = lanes.lanes.first { $0.title == "client → api" }
        #expect(traffic?.marks.contains { $0.label == "udp unreachable :9000 (flow 1) (port unreachable from api)" && $0.tone == .fail } == true)
        let dns = lanes.lanes.first { $0.title == "client → api (DNS, wire)" }
        #expect(dns?.marks.map(\.tone) == [.info, .warn])
        #expect(dns?.marks.last?.label == "NXDOMAIN db.internal A in 0.001s id 7 over udp")
        let exits = lanes.lanes.flatMap(\.marks).filter { $0.label.contains("ended:") }
        #expect(exits.first { $0.label.hasPrefix("pid 9 ") }?.tone == .fail, "a client dying mid-run is red")
        #expect(exits.first { $0.label.hasPrefix("pid 42 ") }?.label == "pid 42 ended: signal 15 (ended at teardown)")
        #expect(exits.first { $0.label.hasPrefix("pid 42 ") }?.tone == .neutral)
    }
}
