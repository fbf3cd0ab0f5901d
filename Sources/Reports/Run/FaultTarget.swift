import ScenarioFormat

/// Where a fault acts, in the scenario's words: `client→api, api→client`, `host api`.
///
/// Reports show it beside each fault so a reader sees "where and when" without the scenario.
public enum FaultTarget {
    public static func describe(_ kind: FaultKind) -> String {
        switch kind {
        case .partition(let p): p.cuts.map(\.description).joined(separator: ", ") + " (\(p.mode.rawValue))"
        case .link(let l): l.pairs.map(\.description).joined(separator: ", ")
        case .cpu(let c): "host \(c.host)"
        case .process(let p): "host \(p.host) (\(p.action.keyword))"
        case .dns(let d):
            "queries for \(d.name)\(d.type.map { " \($0.rawValue)" } ?? "")"
                + (d.hosts.map { " from \($0.joined(separator: ", "))" } ?? "") + " (\(d.action.keyword))"
        case .http(let h): "\(h.match.method ?? "any method") \(h.target)\(h.match.path)"
        case .tls(let t): "TLS handshakes with \(t.target) (\(t.action))"
        }
    }
}
