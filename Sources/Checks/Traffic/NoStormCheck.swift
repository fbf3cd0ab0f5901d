import FaultlineCore
import RunHistory
import ScenarioFormat

/// During the window the client's attempt rate stays within `factor` × its rate before the
/// window, and its busiest second under `maxRate`.
struct NoStormCheck {
    var spec: NoStormExpectation
    var timelineStart: TimeSpan

    func evaluate(_ ctx: TrafficContext) -> CheckResult {
        if let u = ctx.unobserved() { return u }
        let during = ctx.log.attempts(spec.traffic, in: ctx.window)
        let baselineWindow = ResolvedWindow(start: timelineStart, end: ctx.window.start)
        let before = ctx.log.attempts(spec.traffic, in: baselineWindow)
        if let u = ctx.undecoded(during + before) { return u }
        let duration = max((ctx.window.end - ctx.window.start).seconds, 1e-9)
        let baseDuration = (baselineWindow.end - baselineWindow.start).seconds
        let rate = Double(during.count) / duration
        let peak = Self.peakPerSecond(during.map(\.t))
        var evidence: [String: EvidenceValue] = [
            "ratePerSecond": .number(rate), "peakPerSecond": .number(Double(peak)), "attempts": .number(Double(during.count)),
        ]
        var problems: [String] = []
        if let factor = spec.factor {
            guard baseDuration > 0.5, !before.isEmpty else {
                return ctx.result(.unknown, "no traffic before the window to compare with (\(before.count) attempts in \(Format.seconds(baselineWindow.end - baselineWindow.start)))",
                                  evidence: evidence)
            }
            let baseline = Double(before.count) / baseDuration
            evidence["baselinePerSecond"] = .number(baseline)
            if rate > factor * baseline {
                problems.append("\(Format.number(rate, decimals: 1))/s during the window is \(Format.number(rate / baseline, decimals: 1))× the \(Format.number(baseline, decimals: 1))/s before (allowed \(Format.number(factor, decimals: 1))×)")
            }
        }
        if let maxRate = spec.maxRate, Double(peak) > maxRate {
            problems.append("\(peak) attempts in one second (allowed \(Format.number(maxRate, decimals: 1))/s)")
        }
        if let p = problems.first {
            return ctx.result(.fail, "retry storm: " + p, evidence: evidence, events: during.prefix(1).map { ctx.reference("first attempt in window", $0) })
        }
        let baseline = evidence["baselinePerSecond"].flatMap { v -> String? in
            if case .number(let n) = v { return " (before: \(Format.number(n, decimals: 1))/s)" }
            return nil
        } ?? ""
        return ctx.result(.pass, "\(Format.number(rate, decimals: 1))/s during the window\(baseline), busiest second \(peak)", evidence: evidence)
    }

    /// The most attempts that started within any one second.
    static func peakPerSecond(_ times: [TimeSpan]) -> Int {
        var best = 0
        var lo = 0
        for hi in times.indices {
            while times[hi] - times[lo] >= .seconds(1) { lo += 1 }
            best = max(best, hi - lo + 1)
        }
        return best
    }
}
