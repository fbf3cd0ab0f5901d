import Synchronization

/// A value made on one thread and given to another exactly once: a loop's state built (and its
/// errors thrown) by the caller, then run by a thread of its own that alone touches it.
///
/// The value need not be `Sendable`: it is `sending` in and out, so the compiler checks that the
/// giver keeps no reference to it.
public final class HandOff<Value>: Sendable {
    private let value: Mutex<Value?>

    public init(_ value: sending Value) { self.value = Mutex(value) }

    /// The value, to the first caller; nil afterwards.
    public func take() -> sending Value? {
        value.withLock { value in
            let taken = value
            value = nil
            return taken
        }
    }
}
