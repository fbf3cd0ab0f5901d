import Checks
import Foundation
import RunHistory
import ScenarioFormat

/// The rows of the HTML report's timeline, read from the history: a pure function.
///
/// Faults come first (one band per fault, from the report's planned and actual times), then one
/// row per host pair's traffic, one per probe, one per host's process, and one per event type
/// the report does not know (DNS queries, future events), so new events appear without work.
public struct TimelineLanes: Sendable {
    /// How a mark reads: its colour in the page.
    public enum Tone: String, Sendable { case ok, fail, warn, info, neutral }
    public enum Shape: String, Sendable { case tick, dot, up, square }

    public struct Mark: Sendable {
        public var t: Double
        public var tone: Tone
        public var shape: Shape
        public var label: String
        /// 0 (top) to 1 (bottom) inside the lane: connections above, HTTP below.
        public var row: Double = 0.5
    }

    public struct Band: Sendable {
        public var start: Double
        public var end: Double
        public var plannedStart: Double
        public var plannedEnd: Double
        public var label: String
        public var healed: Bool
    }

    public struct Lane: Sendable {
        public enum Kind: String, Sendable { case fault, traffic, probe, process, other }
        public var kind: Kind
        public var title: String
        public var bands: [Band] = []
        public var marks: [Mark] = []
        /// Probe latency in seconds at each attempt, drawn as a line.
        public var latency: [(t: Double, seconds: Double)] = []
        /// Marks left out so the page stays small.
        public var omitted = 0
    }

    /// Most marks drawn in one lane; the rest are counted in ``Lane/omitted``.
    public static let markLimit = 1500

    public var lanes: [Lane]
    public var start: Double
    public var end: Double
    /// Vertical lines: t = 0, the end of the timeline, an interruption.
    public var markers: [(t: Double, label: String, tone: Tone)]

    public init(report: RunReport, events: [Event]) {
        let last = events.map(\.t.seconds).max() ?? 0
        start = min(0, events.map(\.t.seconds).min() ?? 0)
        end = max(report.scenario.duration.seconds, last, start + 1)
        markers = [(0, "t=0", .info)]
        let faults: [Lane] = report.timeline.map { f in
            var lane = Lane(kind: .fault, title: f.fault)
            if let applied = f.actualApply?.seconds {
                lane.bands.append(Band(
                    start: applied, end: f.actualHeal?.seconds ?? last, plannedStart: f.plannedApply.seconds,
                    plannedEnd: f.plannedHeal.seconds,
                    label: "\(f.fault) (\(f.kind)\(f.engine.map { ", \($0)" } ?? "")): \(f.target ?? "")\n"
                        + TextSummary.line(for: f),
                    healed: f.actualHeal != nil))
            } else {
                lane.marks.append(Mark(t: f.plannedApply.seconds, tone: .fail, shape: .square, label: "never applied: \(f.failure ?? "?")"))
            }
            return lane
        }
        var order: [String] = []
        var byKey: [String: Lane] = [:]
        func add(_ key: String, _ kind: Lane.Kind, _ title: String, _ change: (inout Lane) -> Void) {
            if byKey[key] == nil {
                order.append(key)
                byKey[key] = Lane(kind: kind, title: title)
            }
            change(&byKey[key]!)
        }
        func mark(_ key: String, _ kind: Lane.Kind, _ title: String, _ m: Mark) {
            add(key, kind, title) { lane in
                if lane.marks.count < Self.markLimit { lane.marks.append(m) } else { lane.omitted += 1 }
            }
        }
        var ended = false
        for e in events {
            let t = e.t.seconds
            switch e.kind {
            case .connection(let c) where !ProbeTraffic.sourcePorts.contains(c.sourcePort):
                let tone: Tone = switch c.phase {
                case .attempt, .closed: .neutral
                case .synRetransmit: .warn
                case .established: .ok
                case .identified: c.application?.undecodedReason == nil ? .info : .warn
                case .tls: c.tls?.step == .alert ? .fail : .info
                case .refused, .unreachable, .reset: .fail
                }
                let carries = c.tls.map { " \($0)" } ?? c.application.map { " \($0.rawValue)" } ?? ""
                mark("traffic \(c.from)→\(c.to)", .traffic, "\(c.from) → \(c.to)", Mark(
                    t: t, tone: tone, shape: .tick, label: "tcp \(c.phase.rawValue)\(carries) :\(c.port) (connection \(c.connection)\(c.via.map { ", \($0)" } ?? ""))", row: 0.25))
            case .httpRequest(let r):
                mark("traffic \(r.from)→\(r.to)", .traffic, "\(r.from) → \(r.to)", Mark(
                    t: t, tone: .info, shape: .dot, label: "\(r.method) \(r.path) :\(r.port) (exchange \(r.exchange), \(r.via))", row: 0.75))
            case .httpResponse(let r):
                let failed = r.reset != nil || (r.grpcStatus ?? 0) != 0
                let tone: Tone = r.status >= 500 || failed ? .fail : r.status >= 400 ? .warn : .ok
                let outcome = r.reset ?? "\(r.status)" + (r.grpcStatus.map { " grpc-status \($0)" } ?? "")
                mark("traffic \(r.from)→\(r.to)", .traffic, "\(r.from) → \(r.to)", Mark(
                    t: t, tone: tone, shape: .dot,
                    label: "\(outcome) in \(Format.seconds(r.latency)) (exchange \(r.exchange))" + (r.fault.map { ", fault \($0)" } ?? ""), row: 0.75))
            case .udpFlow(let f) where !ProbeTraffic.sourcePorts.contains(f.sourcePort) && f.port != 53:
                let tone: Tone = f.phase == .unreachable ? .fail : .neutral
                let carried = f.phase == .ended
                    ? " (\(f.datagramsOut ?? 0) out / \(f.datagramsIn ?? 0) in)" : f.reason.map { " (\($0))" } ?? ""
                mark("traffic \(f.from)→\(f.to)", .traffic, "\(f.from) → \(f.to)", Mark(
                    t: t, tone: tone, shape: .tick, label: "udp \(f.phase.rawValue) :\(f.port) (flow \(f.flow))\(carried)", row: 0.25))
            case .dnsMessage(let m):
                let tone: Tone = !m.response ? .info : m.rcode == .noError ? .ok : .warn
                let what = m.response
                    ? "\(m.rcode?.description ?? "?") \(m.name) \(m.type)" + (m.answers.map { $0.isEmpty ? "" : " → " + $0.joined(separator: ", ") } ?? "")
                        + (m.latency.map { " in \(Format.seconds($0))" } ?? "") + (m.truncated ? " TC" : "")
                    : "query \(m.name) \(m.type)"
                mark("dns wire \(m.from)→\(m.to)", .traffic, "\(m.from) → \(m.to) (DNS, wire)", Mark(
                    t: t, tone: tone, shape: .dot, label: "\(what) id \(m.id) over \(m.transport)", row: m.response ? 0.75 : 0.25))
            case .probe(let probe, let from, let target, let ok, let latency, let detail):
                let key = "probe \(probe)"
                mark(key, .probe, "probe \(probe)", Mark(
                    t: t, tone: ok ? .ok : .fail, shape: .dot,
                    label: "\(from) → \(target): \(ok ? "ok" : "failed") in \(Format.seconds(latency)) (\(detail))", row: 0.85))
                add(key, .probe, "probe \(probe)") { $0.latency.append((t, latency.seconds)) }
            case .processStarted(let host, let pid, let command):
                mark("process \(host)", .process, "process \(host)", Mark(t: t, tone: .ok, shape: .up, label: "started pid \(pid): \(command)"))
            case .processExited(let host, let pid, let status):
                // After the timeline, Faultline itself ends the hosts' programs (TERM, then KILL):
                // that is teardown, not the client failing.
                let atTeardown = ended && status != .exited(0)
                let tone: Tone = status == .exited(0) || atTeardown ? .neutral : .fail
                mark("process \(host)", .process, "process \(host)", Mark(
                    t: t, tone: tone, shape: .square, label: "pid \(pid) ended: \(status)" + (atTeardown ? " (ended at teardown)" : "")))
            case .processOutput(let host, let stream, let line):
                mark("process \(host)", .process, "process \(host)", Mark(
                    t: t, tone: stream == .stderr ? .warn : .neutral, shape: .tick, label: "\(stream.rawValue): \(String(line.prefix(300)))"))
            case .hostReady(let host, let rule):
                mark("process \(host)", .process, "process \(host)", Mark(t: t, tone: .info, shape: .dot, label: "ready: \(rule)"))
            case .interrupted(let signal):
                markers.append((t, signal, .fail))
            case .timelineEnded:
                ended = true
                markers.append((t, "end", .info))
            case .note(let message):
                mark("note", .other, "notes", Mark(t: t, tone: message.contains("error") || message.contains("failed") ? .fail : .neutral, shape: .tick, label: message))
            case .connection, .udpFlow, .testbedReady, .timelineStarted, .faultApplied, .faultHealed, .faultFailed, .cpuSample,
                .stressMeasured, .captureStats:
                break  // Drawn from the report (faults), or not worth a mark (counters, samples).
            case .dnsQuery:
                let fields = Self.fields(of: e)
                let who = fields["host"] ?? fields["from"] ?? ""
                let key = "\(e.type) \(who)"
                mark(key, .other, who.isEmpty ? e.type : "\(e.type) \(who)", Mark(
                    t: t, tone: Self.tone(of: fields), shape: .dot,
                    label: fields.keys.sorted().filter { $0 != "t" && $0 != "type" }.map { "\($0): \(fields[$0]!)" }.joined(separator: ", ")))
            }
        }
        let rank: [Lane.Kind: Int] = [.traffic: 0, .probe: 1, .process: 2, .other: 3]
        let rest = order.compactMap { byKey[$0] }.enumerated()
            .sorted { (rank[$0.element.kind]!, $0.offset) < (rank[$1.element.kind]!, $1.offset) }.map(\.element)
        lanes = faults + rest
    }

    /// An event's JSON fields as text, for events the report does not know by type.
    static func fields(of event: Event) -> [String: String] {
        guard let data = try? JSONEncoder().encode(event),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object.mapValues { "\($0)" }
    }

    /// Red for `ok: false`, an `error`, or a DNS answer withheld or failed (`rcode` `dropped`,
    /// `SERVFAIL`, `REFUSED`); amber for another non-`NOERROR` rcode (`NXDOMAIN`); green for
    /// `ok: true` or `NOERROR`; grey otherwise.
    static func tone(of fields: [String: String]) -> Tone {
        if fields["error"] != nil || fields["ok"] == "0" || fields["ok"] == "false" { return .fail }
        if fields["ok"] == "1" || fields["ok"] == "true" { return .ok }
        if let rcode = fields["rcode"] {
            guard let outcome = DNSQueryOutcome(rcode) else { return .warn }
            switch outcome {
            case .answered(.noError): return .ok
            case .dropped, .answered(.servFail), .answered(.refused): return .fail
            case .answered(.formErr), .answered(.nxDomain), .answered(.notImp), .answered(.badVers), .answered(.other), .ignored:
                return .warn
            }
        }
        return .neutral
    }
}
