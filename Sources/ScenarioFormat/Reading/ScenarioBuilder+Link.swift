import FaultlineCore

/// Reads `link:` faults: which pairs, which effects, and whether the values make sense together.
extension ScenarioBuilder {
    static let linkKeys = ["between", "from", "to", "delay", "jitter", "correlation", "distribution", "loss",
                           "duplicate", "corrupt", "reorder", "rate", "ports", "protocol", "engine"]
    static let linkEffectKeys = ["delay", "jitter", "loss", "duplicate", "corrupt", "reorder", "rate"]

    func readLink(_ node: YAMLNode, _ path: String) -> LinkFault? {
        guard let f = r.fields(node, path, allowed: Self.linkKeys) else { return nil }
        let errorsBefore = r.errorCount
        var link = LinkFault(pairs: [])

        let shapes = [f.has("between"), f.has("from") || f.has("to")].filter { $0 }.count
        if shapes != 1 {
            r.error(node, path, shapes == 0
                ? "a link fault needs between: [a, b] (both ways) or from: a with to: b (one way)"
                : "a link fault takes either between or from/to, not both")
        } else if let n = f["between"] {
            link.pairs = between(n, f.path("between"))
        } else if let fromNode = r.require(f, "from", hint: " (the sending host)"),
                  let toNode = r.require(f, "to", hint: " (the receiving host or hosts)") {
            link.pairs = fromTo(fromNode, f.path("from"), toNode, f.path("to"))
        }
        var seen = Set<DirectedPair>()
        link.pairs = link.pairs.filter { seen.insert($0).inserted }

        if !Self.linkEffectKeys.contains(where: f.has) {
            r.error(node, path, "a link fault needs at least one effect: \(Self.linkEffectKeys.listed)")
        }
        link.delay = f["delay"].flatMap { r.timeSpan($0, f.path("delay")) }
        link.jitter = f["jitter"].flatMap { r.timeSpan($0, f.path("jitter")) }
        link.correlation = f["correlation"].flatMap { percentage($0, f.path("correlation")) }
        if let n = f["distribution"] { link.distribution = choice(n, f.path("distribution"), "distribution") ?? .uniform }
        link.loss = f["loss"].flatMap { loss($0, f.path("loss")) }
        link.duplicate = f["duplicate"].flatMap { percentage($0, f.path("duplicate")) }
        link.corrupt = f["corrupt"].flatMap { percentage($0, f.path("corrupt")) }
        link.reorder = f["reorder"].flatMap { reorder($0, f.path("reorder")) }
        link.rate = f["rate"].flatMap { bitrate($0, f.path("rate")) }
        link.ports = f["ports"].map { ports($0, f.path("ports")) } ?? []
        link.transport = f["protocol"].flatMap { choice($0, f.path("protocol"), "protocol") }
        if let n = f["engine"] { link.engine = choice(n, f.path("engine"), "engine") ?? .auto }

        checkLinkConsistency(link, f)
        return r.errorCount == errorsBefore ? link : nil
    }

    private func checkLinkConsistency(_ link: LinkFault, _ f: Fields) {
        let delay = link.delay ?? .zero
        if let jitter = link.jitter, jitter > delay, let n = f["jitter"] {
            r.warning(n, f.path("jitter"), "jitter (\(jitter)) exceeds delay (\(delay)); delays that come out "
                + "negative are clamped to 0, as netem does")
        }
        if link.correlation != nil, link.jitter == nil, let n = f["correlation"] {
            r.warning(n, f.path("correlation"), "correlation applies to jitter, and this fault has none")
        }
        if f.has("distribution"), link.jitter == nil, let n = f["distribution"] {
            r.warning(n, f.path("distribution"), "distribution shapes jitter, and this fault has none")
        }
        if link.reorder != nil, delay == .zero, let n = f["reorder"] {
            r.error(n, f.path("reorder"), "reorder needs a delay: a reordered packet overtakes delayed ones "
                + "(as in netem); add e.g. delay: 10ms")
        }
        if !link.ports.isEmpty, link.transport == .icmp, let n = f["protocol"] {
            r.error(n, f.path("protocol"), "ports apply to tcp and udp only; use protocol: tcp or udp, or drop ports")
        }
        if link.engine == .netem, let d = deterministicNode, let n = f["engine"] {
            r.error(n, f.path("engine"), "engine netem cannot replay a run, but the scenario says deterministic: "
                + "true (line \(d.line)); use engine: userspace or auto")
        }
    }

    // MARK: Values

    /// A percentage such as `1%` or `0.5%`.
    func percentage(_ node: YAMLNode, _ path: String) -> Percentage? {
        guard let t = r.text(node, path, what: "a percentage such as 1%") else { return nil }
        if let problem = NodeReader.percentageProblem(t) {
            r.error(node, path, "\(problem); write a number from 0 to 100 and a % sign, e.g. 1% or 0.5%")
            return nil
        }
        return Percentage(parsing: t)
    }

    /// One of an enum's raw values, with the allowed ones and a did-you-mean when it is not.
    private func choice<T: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ path: String, _ what: String) -> T?
    where T.RawValue == String {
        guard let s = r.text(node, path, what: "a \(what)") else { return nil }
        if let v = T(rawValue: s) { return v }
        let allowed = T.allCases.map(\.rawValue)
        r.error(node, path, "unknown \(what) '\(s)'; allowed: \(allowed.listed)\(Suggestion.hint(for: s, in: allowed))")
        return nil
    }

    /// `loss: 1%` or `loss: { gilbert-elliott: { p: 1%, r: 30%, h: 0%, k: 100% } }`.
    private func loss(_ node: YAMLNode, _ path: String) -> LossModel? {
        guard node.isMapping else { return percentage(node, path).map(LossModel.random) }
        guard let f = r.fields(node, path, allowed: ["gilbert-elliott"]),
              let n = r.require(f, "gilbert-elliott", hint: " (or write loss as a percentage, e.g. 1%)"),
              let ge = r.fields(n, f.path("gilbert-elliott"), allowed: ["p", "r", "h", "k"]) else { return nil }
        let p = r.require(ge, "p", hint: " (the chance per packet of entering a burst)").flatMap { percentage($0, ge.path("p")) }
        let rr = r.require(ge, "r", hint: " (the chance per packet of leaving a burst)").flatMap { percentage($0, ge.path("r")) }
        let h = ge["h"].map { percentage($0, ge.path("h")) } ?? Percentage(fraction: 0)
        let k = ge["k"].map { percentage($0, ge.path("k")) } ?? Percentage(fraction: 1)
        guard let p, let rr, let h, let k else { return nil }
        if rr.fraction == 0, let n = ge["r"] {
            r.error(n, ge.path("r"), "r must be above 0%: a burst with r = 0% never ends")
            return nil
        }
        return .gilbertElliott(GilbertElliott(p: p, r: rr, h: h, k: k))
    }

    /// `reorder: 5%` or `reorder: { percent: 5%, gap: 3 }`.
    private func reorder(_ node: YAMLNode, _ path: String) -> Reorder? {
        guard node.isMapping else { return percentage(node, path).map { Reorder(percent: $0) } }
        guard let f = r.fields(node, path, allowed: ["percent", "gap"]) else { return nil }
        let percent = r.require(f, "percent").flatMap { percentage($0, f.path("percent")) }
        var gap = 1
        if let n = f["gap"], let v = r.unsigned(n, f.path("gap")) {
            guard v >= 1, v <= 1_000_000 else {
                r.error(n, f.path("gap"), "gap must be a whole number from 1 to 1000000 (1: every packet may be reordered)")
                return nil
            }
            gap = Int(v)
        }
        return percent.map { Reorder(percent: $0, gap: gap) }
    }

    private func bitrate(_ node: YAMLNode, _ path: String) -> Bitrate? {
        guard let t = r.text(node, path, what: "a rate such as 2mbit") else { return nil }
        let units = Bitrate.unitNames.listed
        guard let v = Bitrate(parsing: t) else {
            r.error(node, path, "not a rate: '\(t)'; write a number and a unit, e.g. 2mbit, 512kbit, 100kbps (units: \(units))")
            return nil
        }
        guard v.bitsPerSecond >= 8 else {
            r.error(node, path, "rate '\(t)' must be at least 8bit (1 byte per second); leave rate out for no cap")
            return nil
        }
        return v
    }

    private func ports(_ node: YAMLNode, _ path: String) -> [UInt16] {
        let isList = node.isSequence
        let items = isList ? r.list(node, path) ?? [] : [node]
        if items.isEmpty { r.error(node, path, "the list of ports is empty; leave ports out for all traffic") }
        return items.enumerated().compactMap { i, item in
            let itemPath = isList ? "\(path)[\(i)]" : path
            guard let t = r.text(item, itemPath, what: "a port") else { return nil }
            guard let p = UInt16(t), p > 0 else {
                r.error(item, itemPath, "port '\(t)' must be a number from 1 to 65535")
                return nil
            }
            return p
        }
    }
}
