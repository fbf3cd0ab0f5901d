/// "Did you mean …?" hints: the closest allowed word by edit distance.
enum Suggestion {
    /// The candidate closest to `word`, if it is close enough to be a plausible typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let w = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for c in candidates {
            let d = distance(w, Array(c.lowercased()))
            if d < (best?.distance ?? .max) { best = (c, d) }
        }
        guard let best else { return nil }
        // A third of the longer word, at least one edit: 'dorp' → 'drop', 'tiemout' → 'timeout', not 'x' → 'at'.
        let limit = max(1, max(w.count, best.candidate.count) / 3)
        return best.distance <= limit && best.distance < w.count ? best.candidate : nil
    }

    /// ` (did you mean 'x'?)`, or nothing.
    static func hint(for word: String, in candidates: [String]) -> String {
        closest(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}

extension Array where Element == String {
    /// `a, b, c` for messages.
    var listed: String { joined(separator: ", ") }
}
