import Checks

/// Draws ``TimelineLanes`` as one inline SVG: a row per lane, time running left to right.
///
/// Every shape carries a `<title>` (the browser's tooltip), so the page needs no script to
/// explain a mark. Each expectation's window is drawn hidden (`class="window"`, id `win-N`);
/// the page's script shows the one whose table row was clicked.
public enum TimelineSVG {
    static let left = 190.0
    static let width = 1000.0
    static let laneHeight = 26.0
    static let probeHeight = 44.0
    static let axisHeight = 28.0

    public static func render(_ lanes: TimelineLanes, expectations: [CheckResult]) -> String {
        let scale = width / (lanes.end - lanes.start)
        func x(_ t: Double) -> String { Format.number(left + (t - lanes.start) * scale, decimals: 1) }
        func w(_ a: Double, _ b: Double) -> String { Format.number(max(1.5, (b - a) * scale), decimals: 1) }
        var y = axisHeight
        var body = ""
        for (i, lane) in lanes.lanes.enumerated() {
            let h = lane.kind == .probe ? probeHeight : laneHeight
            body += #"<g class="lane lane-\#(lane.kind.rawValue)" data-lane="\#(i)">"#
            body += #"<rect class="lane-bg" x="0" y="\#(y)" width="\#(left + width)" height="\#(h)"/>"#
            body += #"<text class="lane-title" x="6" y="\#(y + h / 2 + 4)">\#(e(String(lane.title.prefix(28))))<title>\#(e(lane.title))</title></text>"#
            for b in lane.bands {
                body += #"<rect class="planned" x="\#(x(b.plannedStart))" y="\#(y + 2)" width="\#(w(b.plannedStart, b.plannedEnd))" height="\#(h - 4)"/>"#
                body += #"<rect class="fault-band\#(b.healed ? "" : " unhealed")" data-fault="\#(e(lane.title))" x="\#(x(b.start))" y="\#(y + 5)" width="\#(w(b.start, b.end))" height="\#(h - 10)"><title>\#(e(b.label))</title></rect>"#
                body += #"<text class="band-label" x="\#(x(b.start))" dx="4" y="\#(y + h / 2 + 4)">\#(e(String(b.label.prefix { $0 != "\n" }.prefix(60))))</text>"#
            }
            if lane.latency.count > 1, let peak = lane.latency.map(\.seconds).max(), peak > 0 {
                let points = lane.latency.map { p in "\(x(p.t)),\(Format.number(y + 4 + (1 - p.seconds / peak) * (h - 16), decimals: 1))" }
                body += #"<polyline class="latency" points="\#(points.joined(separator: " "))"><title>probe latency, peak \#(Format.number(peak * 1000, decimals: 1)) ms</title></polyline>"#
            }
            for m in lane.marks { body += mark(m, x: x(m.t), y: y + m.row * h) }
            if lane.omitted > 0 {
                body += #"<text class="omitted" x="\#(left + width - 4)" y="\#(y + 10)" text-anchor="end">+\#(lane.omitted) not drawn</text>"#
            }
            body += "</g>\n"
            y += h
        }
        let height = y + 4
        var head = #"<svg id="timeline-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(left + width + 10) \#(height)" width="100%" role="img" aria-label="timeline">"# + "\n"
        head += axis(lanes, x: x, height: height)
        for (i, r) in expectations.enumerated() {
            guard let win = r.window else { continue }
            head += #"<g class="window" id="win-\#(i)"><rect x="\#(x(win.start.seconds))" y="\#(axisHeight)" width="\#(w(win.start.seconds, win.end.seconds))" height="\#(height - axisHeight)"/>"#
            head += #"<text x="\#(x(win.start.seconds))" dx="3" y="\#(axisHeight - 4)">\#(e(r.expectation)) \#(r.verdict.label)</text>"#
            for ref in r.events {
                head += #"<line class="ref" x1="\#(x(ref.t.seconds))" x2="\#(x(ref.t.seconds))" y1="\#(axisHeight)" y2="\#(height)"><title>\#(e(ref.label)) at \#(Format.seconds(ref.t))</title></line>"#
            }
            head += "</g>\n"
        }
        return head + body + "</svg>"
    }

    private static func axis(_ lanes: TimelineLanes, x: (Double) -> String, height: Double) -> String {
        let span = lanes.end - lanes.start
        let step = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600].first { span / $0 <= 14 } ?? 1200
        var out = #"<g class="axis">"#
        var t = (lanes.start / step).rounded(.up) * step
        while t <= lanes.end + 1e-9 {
            out += #"<line x1="\#(x(t))" x2="\#(x(t))" y1="\#(axisHeight - 6)" y2="\#(height)"/><text x="\#(x(t))" y="12" text-anchor="middle">\#(Format.number(t, decimals: 2))s</text>"#
            t += step
        }
        for m in lanes.markers {
            out += #"<line class="marker \#(m.tone.rawValue)" x1="\#(x(m.t))" x2="\#(x(m.t))" y1="\#(axisHeight - 10)" y2="\#(height)"><title>\#(e(m.label)) at \#(Format.number(m.t, decimals: 3))s</title></line>"#
        }
        return out + "</g>\n"
    }

    private static func mark(_ m: TimelineLanes.Mark, x: String, y: Double) -> String {
        let cls = "mark \(m.tone.rawValue)"
        let title = "<title>\(Format.number(m.t, decimals: 3))s \(e(m.label))</title>"
        switch m.shape {
        case .tick: return #"<line class="\#(cls)" x1="\#(x)" x2="\#(x)" y1="\#(y - 6)" y2="\#(y + 6)">\#(title)</line>"#
        case .dot: return #"<circle class="\#(cls)" cx="\#(x)" cy="\#(y)" r="3">\#(title)</circle>"#
        case .square: return #"<rect class="\#(cls)" x="\#(x)" y="\#(y - 5)" width="9" height="9" transform="translate(-4.5 0)">\#(title)</rect>"#
        case .up: return #"<path class="\#(cls)" d="M\#(x) \#(y - 7) l6 12 h-12 z">\#(title)</path>"#
        }
    }

    private static func e(_ s: String) -> String { XMLText.escape(s) }
}
