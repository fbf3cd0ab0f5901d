/// How `faultline run` shows a run while it goes.
public enum ProgressStyle: String, Sendable, CaseIterable {
    /// Timestamped lines on stderr, one per step: what CI logs want.
    case lines
    /// The same lines, under a status line redrawn in place (a terminal).
    case status
    /// Every history event and progress message as one JSON object per line on stdout.
    case json
    /// Nothing until the final summary.
    case quiet
}
