import FaultlineCore
import ScenarioFormat

/// What a fault does to one request: answer in its place, drop the connection, or let the service
/// answer (late).
public struct FaultDecision: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case reply(HTTPFaultReply)
        case abort(HTTPAbort)
        /// The service answers.
        case pass
    }

    /// The fault's name, recorded with the answer.
    public var fault: String
    public var action: Action
    public var delay: TimeSpan?

    public init(fault: String, action: Action, delay: TimeSpan? = nil) {
        self.fault = fault
        self.action = action
        self.delay = delay
    }
}
