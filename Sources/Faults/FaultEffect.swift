/// A fault made concrete for one testbed: what it changes, and how to undo it.
///
/// `apply()` and `heal()` are what the runner calls at a fault's start and end. `heal()` is
/// idempotent and safe to call without `apply()` (after a crash, or when `apply()` failed half way).
public protocol FaultEffect: AnyObject, Sendable {
    /// The mechanism, for the history and the report: `fib-rule`, `iptables`.
    var engine: EffectEngine { get }
    /// The changes, one equivalent shell command a line, for the history and the report.
    var detail: String { get }
    /// Puts the fault in place. On failure, whatever part was applied is undone before rethrowing.
    func apply() throws
    /// Takes the fault away. Undoing a change that is already gone is not an error.
    func heal() throws
}
