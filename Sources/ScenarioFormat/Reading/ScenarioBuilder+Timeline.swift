import FaultlineCore

/// Checks that relate parts of the file to each other on the timeline: faults within the run,
/// conflicting overlapping faults, and windows that leave something to judge.
extension ScenarioBuilder {
    func checkTimeline() {
        guard let duration else { return }
        for d in faults { checkFaultFits(d, runDuration: duration) }
        for d in faults {
            if let f = d.fault, case .tls(let t) = f.kind, t.action == .certificate(.rotated), let n = d.forNode {
                r.warning(n, "\(d.path).for", "a rotation stays: the old certificate does not come back when "
                    + "'for' ends; leave 'for' out")
            }
        }
        checkOverlaps(runDuration: duration)
        checkLinkOverlaps(runDuration: duration)
        for e in expectations { checkWindowFits(e, runDuration: duration) }
    }

    private func checkFaultFits(_ d: FaultDraft, runDuration: TimeSpan) {
        guard let at = d.at else { return }
        if at >= runDuration {
            r.error(d.atNode, "\(d.path).at", "fault starts at \(at), at or after the end of the run (duration: "
                + "\(runDuration)); start it earlier or lengthen 'duration'")
        } else if let length = d.duration, at + length > runDuration {
            r.error(d.forNode, "\(d.path).for", "fault lasts until \(at + length) (at \(at) + for \(length)), past "
                + "the end of the run at \(runDuration); shorten 'for', or leave it out to last until the end")
        }
    }

    /// Two partitions active at once that cut the same directed pair in different modes cannot both
    /// hold; in the same mode they are merely redundant.
    private func checkOverlaps(runDuration: TimeSpan) {
        let partitions: [(draft: FaultDraft, fault: Fault, partition: Partition)] = faults.compactMap { d in
            guard let fault = d.fault else { return nil }
            switch fault.kind {
            case .partition(let p): return (d, fault, p)
            case .link, .cpu, .process, .http, .tls: return nil
            // Several hijacks may be active at once: the first applied that matches a query wins.
            case .dns: return nil
            }
        }
        for (j, later) in partitions.enumerated() {
            for earlier in partitions[..<j] {
                let start = max(earlier.fault.at, later.fault.at)
                let end = min(earlier.fault.end(runDuration: runDuration), later.fault.end(runDuration: runDuration))
                guard start < end else { continue }
                let earlierCuts = Set(earlier.partition.cuts)
                let shared = later.partition.cuts.filter { earlierCuts.contains($0) }
                guard let first = shared.first else { continue }
                let pairs = shared.count == 1 ? "\(first)" : "\(first) and \(shared.count - 1) more"
                let line = earlier.draft.nameNode?.line ?? 0
                let other = "'\(earlier.fault.name)' (line \(line))"
                if earlier.partition.mode != later.partition.mode {
                    r.error(later.draft.kindNode, later.draft.kindPath ?? later.draft.path,
                            "cuts \(pairs) with mode \(later.partition.mode.rawValue) while \(other) cuts it with "
                            + "mode \(earlier.partition.mode.rawValue), both from \(start) to \(end); "
                            + "a pair is cut one way at a time")
                } else {
                    r.warning(later.draft.kindNode, later.draft.kindPath ?? later.draft.path,
                              "cuts \(pairs) which \(other) already cuts (\(later.partition.mode.rawValue)) "
                              + "from \(start) to \(end)")
                }
            }
        }
    }

    /// Two link faults active at once on the same directed pair would fight over its packets (one
    /// NFQUEUE steering rule, one netem class per pair): rejected rather than merged, so what runs is
    /// exactly what the file says.
    private func checkLinkOverlaps(runDuration: TimeSpan) {
        let links: [(draft: FaultDraft, fault: Fault, link: LinkFault)] = faults.compactMap { d in
            guard let fault = d.fault, case .link(let l) = fault.kind else { return nil }
            return (d, fault, l)
        }
        for (j, later) in links.enumerated() {
            for earlier in links[..<j] {
                let start = max(earlier.fault.at, later.fault.at)
                let end = min(earlier.fault.end(runDuration: runDuration), later.fault.end(runDuration: runDuration))
                guard start < end else { continue }
                let earlierPairs = Set(earlier.link.pairs)
                let shared = later.link.pairs.filter { earlierPairs.contains($0) }
                guard let first = shared.first else { continue }
                let pairs = shared.count == 1 ? "\(first)" : "\(first) and \(shared.count - 1) more"
                let line = earlier.draft.nameNode?.line ?? 0
                r.error(later.draft.kindNode, later.draft.kindPath ?? later.draft.path,
                        "degrades \(pairs) while '\(earlier.fault.name)' (line \(line)) degrades it too, both from "
                        + "\(start) to \(end); link faults on one pair and direction must not overlap in time "
                        + "(put both effects in one fault)")
            }
        }
    }

    private func checkWindowFits(_ e: ExpectationDraft, runDuration: TimeSpan) {
        guard let f = e.windowFields else { return }
        if let from = e.window.from, from >= runDuration, let n = f["from"] {
            r.error(n, f.path("from"), "from (\(from)) lies at or after the end of the run (\(runDuration))")
        }
        if let until = e.window.until, until > runDuration, let n = f["until"] {
            r.error(n, f.path("until"), "until (\(until)) lies past the end of the run (\(runDuration))")
        }
        // A fault whose own `at` or `for` could not be read was reported already; judge nothing against it.
        guard let name = e.window.after, let fault = faults.first(where: { $0.name == name }),
              let at = fault.at, fault.forNode == nil || fault.duration != nil, let n = f["after"] else { return }
        guard let length = fault.duration else {
            r.error(n, f.path("after"), "fault '\(name)' lasts until the end of the run, so nothing comes after "
                + "it; give it a 'for'")
            return
        }
        let heal = at + length
        let within = e.window.within ?? .zero
        if heal + within >= runDuration, heal < runDuration {
            let node = f["within"] ?? n
            r.error(node, f.has("within") ? f.path("within") : f.path("after"),
                    "within \(within) leaves nothing to judge: '\(name)' heals at \(heal) and the run ends at "
                    + "\(runDuration) (within must be shorter than \(runDuration - heal))")
        }
    }
}
