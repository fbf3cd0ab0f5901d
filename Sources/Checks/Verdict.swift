/// The outcome of a check, in Jepsen's three values.
///
/// `unknown` is not a soft pass: it means the history could not answer the question (the fault
/// never applied, no probe ran in the window, the pattern does not compile).
public enum Verdict: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case pass
    case fail
    case unknown

    /// `PASS`, `FAIL`, `UNKNOWN`: how terminal output shows it.
    public var label: String { rawValue.uppercased() }
    public var description: String { rawValue }

    /// Fail if any part fails, else unknown if any is unknown, else pass. Nothing at all is unknown.
    public static func combining(_ verdicts: some Sequence<Verdict>) -> Verdict {
        var seenAny = false
        var seenUnknown = false
        for v in verdicts {
            seenAny = true
            switch v {
            case .fail: return .fail
            case .unknown: seenUnknown = true
            case .pass: break
            }
        }
        return !seenAny || seenUnknown ? .unknown : .pass
    }
}
