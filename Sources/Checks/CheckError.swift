/// Why the history cannot answer an expectation; the check's verdict becomes `unknown`.
///
/// A struct with a private code so new reasons can be added without breaking callers.
public struct CheckError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case timelineNeverStarted
        case faultNeverApplied(fault: String, failure: String?)
        case faultNeverHealed(fault: String)
        case emptyWindow(reason: String)
    }

    private let code: Code

    private init(_ code: Code) { self.code = code }

    /// The history has no `timeline.started` event, so no window has a t = 0.
    public static let timelineNeverStarted = CheckError(.timelineNeverStarted)

    /// The window names a fault that has no `fault.applied` event; `failure` is its `fault.failed` error, if any.
    public static func faultNeverApplied(_ fault: String, failure: String? = nil) -> CheckError {
        CheckError(.faultNeverApplied(fault: fault, failure: failure))
    }

    /// `after: F` names a fault that was still in effect when the timeline ended.
    public static func faultNeverHealed(_ fault: String) -> CheckError { CheckError(.faultNeverHealed(fault: fault)) }

    /// The window's bounds cross: it starts after it ends.
    public static func emptyWindow(_ reason: String) -> CheckError { CheckError(.emptyWindow(reason: reason)) }

    public var description: String {
        switch code {
        case .timelineNeverStarted:
            "the timeline never started"
        case .faultNeverApplied(let fault, nil):
            "fault \"\(fault)\" was never applied"
        case .faultNeverApplied(let fault, let failure?):
            "fault \"\(fault)\" was never applied: \(failure)"
        case .faultNeverHealed(let fault):
            "fault \"\(fault)\" never healed before the timeline ended"
        case .emptyWindow(let reason):
            "the window is empty: \(reason)"
        }
    }
}
