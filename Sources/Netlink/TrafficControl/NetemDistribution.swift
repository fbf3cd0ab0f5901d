import Glibc

/// netem's delay distribution tables (`normal`, `pareto`, `paretonormal`), the files iproute2
/// ships: 4096 samples of the inverse distribution function, scaled by 8192 (NETEM_DIST_SCALE).
/// netem delays a packet by `delay + jitter · table[random] / 8192`.
public enum NetemDistribution {
    /// Where the tables are: Debian's multiarch folder first (libnl itself only looks in
    /// `/usr/lib/tc`, `/usr/lib64/tc` and `/usr/local/lib/tc`, so it is given a full path).
    public static let folders = ["/usr/lib/x86_64-linux-gnu/tc", "/usr/lib/aarch64-linux-gnu/tc", "/usr/lib/tc", "/usr/lib64/tc", "/usr/local/lib/tc"]

    /// The table file for `name`, or nil when iproute2's tables are not installed.
    public static func path(of name: String) -> String? {
        folders.lazy.map { "\($0)/\(name).dist" }.first { access($0, R_OK) == 0 }
    }

    /// The standard deviation of iproute2's table, in units of netem's jitter: the tables are
    /// not all scaled to 1. `pareto.dist` holds (x − 1.5) · 4/3 for a Pareto x of shape 3,
    /// truncated at 4, and `paretonormal.dist` mixes it with the normal. Measured from the tables
    /// (and checked against the installed files by the tests).
    public static func spread(of name: String) -> Double {
        switch name {
        case "pareto": 0.820
        case "paretonormal": 0.834
        default: 1.0
        }
    }

    /// The standard deviation of the samples in the table file at `path` (in jitter units).
    public static func measuredSpread(ofTableAt path: String) -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let values = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .flatMap { $0.split(whereSeparator: \.isWhitespace) }.compactMap { Double($0) }
        guard values.count > 1 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return variance.squareRoot() / 8192
    }
}
