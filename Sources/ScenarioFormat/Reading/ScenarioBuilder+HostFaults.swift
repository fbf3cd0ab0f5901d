import FaultlineCore
import Foundation

/// Faults that act on one host's machine rather than on the network: `cpu:` and `process:`.
extension ScenarioBuilder {
    static let cpuKeys = ["host", "load", "workers", "limit"]
    static let processFaultKeys = ["host", "action", "signal", "restart"]
    static let restartKeys = ["after"]

    /// `{ host: client, load: 80%, workers: 2 }` or `{ host: client, limit: 20% }`.
    func readCPUFault(_ node: YAMLNode, _ path: String) -> CPUFault? {
        guard let f = r.fields(node, path, allowed: Self.cpuKeys) else { return nil }
        let errorsBefore = r.errorCount
        let host = r.require(f, "host", hint: " (the host whose CPU is stressed or capped)")
            .flatMap { hostReference($0, f.path("host")) }
        switch (f.has("load"), f.has("limit")) {
        case (true, true):
            r.error(f.keyNode("limit"), f.path("limit"),
                    "a cpu fault takes exactly one of load (stress workers) or limit (a cap); write two faults for both")
            return nil
        case (false, false):
            r.error(node, path, "a cpu fault needs one of: load: 80% (with workers: N) to burn CPU beside the host, "
                + "limit: 20% to cap the host's processes")
            return nil
        case (true, false):
            let load = percentage(f["load"]!, f.path("load"), what: "load (per worker)")
            var workers = 1
            if let n = f["workers"], let w = r.unsigned(n, f.path("workers")) {
                let most = CPUStress.maxWorkers(cpuCount: ProcessInfo.processInfo.activeProcessorCount)
                if w == 0 || w > UInt64(most) {
                    r.error(n, f.path("workers"), "workers must be from 1 to \(most) (4 × this machine's "
                        + "\(ProcessInfo.processInfo.activeProcessorCount) CPUs), found \(w)")
                } else {
                    workers = Int(w)
                }
            }
            if let load, load.fraction == 0, let n = f["load"] {
                r.error(n, f.path("load"), "load 0% burns nothing; give a share above 0%, e.g. 50%")
            }
            guard r.errorCount == errorsBefore, let host, let load else { return nil }
            return .stress(CPUStress(host: host, load: load, workers: workers))
        case (false, true):
            if let n = f.keyNode("workers") {
                r.error(n, f.path("workers"), "workers go with load, not with limit")
            }
            let limit = percentage(f["limit"]!, f.path("limit"), what: "limit (a share of one CPU)")
            if let limit, limit.fraction == 0, let n = f["limit"] {
                r.error(n, f.path("limit"), "limit 0% would stop the host for good; give a share above 0%, "
                    + "e.g. 20% (use process: { action: pause } to freeze it)")
            }
            guard r.errorCount == errorsBefore, let host, let limit else { return nil }
            return .limit(CPULimit(host: host, limit: limit))
        }
    }

    /// `{ host: etcd-1, action: pause | kill | restart, signal: KILL, restart: { after: 3s } }`.
    func readProcessFault(_ node: YAMLNode, _ path: String) -> ProcessFault? {
        guard let f = r.fields(node, path, allowed: Self.processFaultKeys) else { return nil }
        let errorsBefore = r.errorCount
        var host: String?
        if let n = r.require(f, "host", hint: " (the host whose program is paused, killed or restarted)"),
           let name = hostReference(n, f.path("host")) {
            host = name
            if hosts.first(where: { $0.name == name })?.run == nil {
                r.error(n, f.path("host"), "host '\(name)' has no process: give it a 'run' command, "
                    + "or choose a host that has one")
            }
        }
        guard let actionNode = r.require(f, "action", hint: " (\(ProcessAction.keywords.listed))"),
              let action = r.text(actionNode, f.path("action"), what: "a process action") else { return nil }
        guard ProcessAction.keywords.contains(action) else {
            r.error(actionNode, f.path("action"), "unknown action '\(action)'; allowed: "
                + "\(ProcessAction.keywords.listed)\(Suggestion.hint(for: action, in: ProcessAction.keywords))")
            return nil
        }
        if action != "kill" {
            for key in ["signal", "restart"] where f.has(key) {
                r.error(f.keyNode(key), f.path(key), "\(key) goes with action: kill, not with action: \(action)")
            }
        }
        var signal = SignalName.KILL
        if action == "kill", let n = f["signal"], let s = r.text(n, f.path("signal"), what: "a signal name") {
            if let parsed = SignalName(parsing: s) {
                signal = parsed
            } else {
                let names = SignalName.allCases.map(\.rawValue)
                r.error(n, f.path("signal"), "unknown signal '\(s)'; allowed: \(names.listed)"
                    + Suggestion.hint(for: s, in: names))
            }
        }
        var restartAfter: TimeSpan?
        if action == "kill", let n = f["restart"],
           let rf = r.fields(n, f.path("restart"), allowed: Self.restartKeys),
           let after = r.require(rf, "after", hint: " (how long the host stays down, e.g. 3s)") {
            restartAfter = r.timeSpan(after, rf.path("after"))
        }
        guard r.errorCount == errorsBefore, let host else { return nil }
        let parsed: ProcessAction = switch action {
        case "pause": .pause
        case "restart": .restart
        default: .kill(signal: signal, restartAfter: restartAfter)
        }
        return ProcessFault(host: host, action: parsed)
    }

    /// A percentage such as `80%`, with the reader's usual problem for anything else.
    private func percentage(_ node: YAMLNode, _ path: String, what: String) -> Percentage? {
        guard let t = r.text(node, path, what: "a percentage such as 50%") else { return nil }
        if let problem = NodeReader.percentageProblem(t) {
            r.error(node, path, "\(what): \(problem)")
            return nil
        }
        return Percentage(parsing: t)
    }
}
