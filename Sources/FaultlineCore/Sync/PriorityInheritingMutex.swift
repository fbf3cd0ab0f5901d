/// State that a real-time thread shares with ordinary ones, reachable only under a
/// priority-inheriting lock (see ``PriorityInheritingLock`` for why `Mutex` will not do there),
/// with a condition variable for hand-overs that wait on the state.
///
/// The value-owning form, like `Synchronization.Mutex`: nothing outside ``withLock(_:)`` can touch
/// the state, so types built on it are checked `Sendable`.
public final class PriorityInheritingMutex<Value> {
    private let lock = PriorityInheritingLock()
    private let condition = PriorityInheritingCondition()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the state, the lock held.
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// Waits on the condition until `ready` holds for the state, then runs `body` with it, the
    /// lock held from the check to the end of `body`.
    public func withLock<T>(waitingUntil ready: (Value) -> Bool, _ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        while !ready(value) { condition.wait(on: lock) }
        return try body(&value)
    }

    /// Wakes every thread waiting in ``withLock(waitingUntil:_:)`` (call with or without the lock).
    public func broadcast() { condition.broadcast() }

    /// Wakes one thread waiting in ``withLock(waitingUntil:_:)``.
    public func signal() { condition.signal() }
}

// Unchecked, soundly: `value` (itself Sendable) is reached only inside `withLock`, under the pthread mutex.
extension PriorityInheritingMutex: @unchecked Sendable where Value: Sendable {}
