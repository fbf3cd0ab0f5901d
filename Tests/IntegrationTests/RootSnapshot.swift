import Foundation

/// What the root network namespace looks like: its links, addresses, routes, rules and
/// netfilter rules, read only. A run must leave all of it exactly as it found it.
struct RootSnapshot: Equatable {
    var links: String
    var routes: String
    var rules: String
    var netfilter: String

    static func take() throws -> RootSnapshot {
        RootSnapshot(
            links: try read("/proc/net/dev").split(separator: "\n").dropFirst(2)
                .map { $0.split(separator: ":").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
                .sorted().joined(separator: ","),
            routes: try read("/proc/net/route") + ((try? read("/proc/net/ipv6_route")) ?? ""),
            rules: output("/usr/sbin/ip", ["rule", "show"]),
            netfilter: output("/usr/sbin/iptables-save", []).split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n"))
    }

    private static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// Reads a listing from a tool (tests only; reading, never changing).
    private static func output(_ tool: String, _ args: [String]) -> String {
        guard FileManager.default.isExecutableFile(atPath: tool) else { return "(\(tool) missing)" }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "(\(tool) failed)" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
