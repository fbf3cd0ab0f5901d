import FaultlineCore
import Foundation
import ScenarioFormat

/// How checks and reports write numbers for people: no trailing zeros, no float noise.
public enum Format {
    /// `0.41s`, `10s`, `-0.25s`: seconds with at most three decimals.
    public static func seconds(_ t: TimeSpan) -> String { number(t.seconds, decimals: 3) + "s" }

    /// `62.5%`, `100%`: a fraction as a percentage with at most two decimals.
    public static func percent(_ fraction: Double) -> String { number(fraction * 100, decimals: 2) + "%" }

    /// `[5s, 10.4s]`
    public static func interval(_ start: TimeSpan, _ end: TimeSpan) -> String {
        "[\(seconds(start)), \(seconds(end))]"
    }

    /// A number with at most `decimals` decimals and no trailing zeros: `2`, `0.41`, `-1.5`.
    public static func number(_ v: Double, decimals: Int = 6) -> String {
        guard v.isFinite else { return String(v) }
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }
}
