import FaultlineCore
import Foundation
import Glibc
import LinuxSystem
import RunHistory
import ScenarioFormat

/// Why the timeline could not start.
public struct ReadinessError: Error, Sendable, CustomStringConvertible {
    public var host: String
    public var rule: String
    public var reason: String
    public var description: String { "host \(host) never became ready (\(rule)): \(reason)" }
}

/// Waits until every host's `ready:` rule holds: TCP and HTTP checks run from the router's
/// namespace (which reaches every host); `log:` rules read the host's output from the history.
public enum ReadinessWaiter {
    /// Blocks until every host with a `ready:` rule passes it. `log:` rules look only at events
    /// from `fromEvent` on (a restarted host must print its line again).
    public static func wait(
        hosts: [ScenarioFormat.Host], processes: [String: HostProcess], router: NetworkNamespace,
        addresses: [String: IPv4Address], history: History, timeout: TimeSpan, fromEvent: Int = 0,
        cancelled: @escaping @Sendable () -> Bool = { false }
    ) throws {
        var pending = hosts.filter { $0.ready != nil }
        guard !pending.isEmpty else { return }
        let thread = try NamespaceThread(router)
        defer { thread.stop() }
        let deadline = RunClockNow.nanoseconds() + UInt64(timeout.nanoseconds)
        var lastFailure: [String: String] = [:]
        var patterns: [String: NSRegularExpression] = [:]
        for h in pending {
            if case .log(let p) = h.ready {
                do {
                    patterns[h.name] = try NSRegularExpression(pattern: p)
                } catch {
                    throw ReadinessError(host: h.name, rule: "log:\(p)", reason: "invalid regular expression: \(error)")
                }
            }
        }
        while true {
            if cancelled() { throw CancellationError() }
            let events = history.events.dropFirst(fromEvent)
            pending = try pending.filter { host in
                let rule = host.ready!
                if let p = processes[host.name], let status = p.status {
                    throw ReadinessError(host: host.name, rule: rule.description, reason: "its process ended first (\(status))")
                }
                let ok: Bool
                switch rule {
                case .log:
                    let re = patterns[host.name]!
                    ok = events.contains { e in
                        guard case .processOutput(let h, _, let line) = e.kind, h == host.name else { return false }
                        return re.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
                    }
                    if !ok { lastFailure[host.name] = "no output line matched" }
                case .tcp(let h, let port):
                    ok = try attempt(.tcp(host: h, port: port), host: host.name, rule: rule, addresses: addresses, thread: thread, lastFailure: &lastFailure)
                case .http(let url):
                    ok = try attempt(.http(url), host: host.name, rule: rule, addresses: addresses, thread: thread, lastFailure: &lastFailure)
                }
                if ok { history.record(.hostReady(host: host.name, rule: rule.description)) }
                return !ok
            }
            if pending.isEmpty { return }
            if RunClockNow.nanoseconds() > deadline {
                let h = pending[0]
                throw ReadinessError(
                    host: h.name, rule: h.ready!.description,
                    reason: "not ready after \(timeout) (last attempt: \(lastFailure[h.name] ?? "none"))")
            }
            usleep(50_000)
        }
    }

    private static func attempt(
        _ target: ProbeTarget, host: String, rule: Readiness, addresses: [String: IPv4Address],
        thread: NamespaceThread, lastFailure: inout [String: String]
    ) throws -> Bool {
        guard let resolved = ResolvedTarget.resolve(target, addresses: addresses) else {
            throw ReadinessError(host: host, rule: rule.description, reason: "unknown host \(target.host ?? target.description)")
        }
        let o = try thread.run { ProbeAttempt.run(resolved, timeout: .milliseconds(500)) }
        // HTTP readiness: any answer below 500 means the server is up.
        let ok = resolved.httpPath == nil ? o.ok : (o.detail.hasPrefix("HTTP ") && !o.detail.hasPrefix("HTTP 5"))
        if !ok { lastFailure[host] = o.detail }
        return ok
    }
}
