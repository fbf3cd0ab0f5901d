/// A path pattern from a scenario: `*` matches any run of characters (`/` included), the rest literally.
public struct PathPattern: Sendable, Equatable {
    public let pattern: String
    private let parts: [Substring]

    public init(_ pattern: String) {
        self.pattern = pattern
        parts = pattern.split(separator: "*", omittingEmptySubsequences: false)
    }

    /// Whether `path` (without query string) matches the whole pattern.
    public func matches(_ path: String) -> Bool {
        guard parts.count > 1 else { return path == pattern }
        var rest = Substring(path)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        // Middle pieces match at their first occurrence (greedy-free glob matching is exact for `*`).
        for piece in parts.dropFirst().dropLast() where !piece.isEmpty {
            guard let r = rest.range(of: piece) else { return false }
            rest = rest[r.upperBound...]
        }
        let last = parts[parts.count - 1]
        return rest.count >= last.count && rest.hasSuffix(last)
    }
}
