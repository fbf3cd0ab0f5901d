import CLinux
import Foundation
import Glibc
import Synchronization

/// A dedicated thread that lives inside one network namespace and runs work there.
///
/// `setns(2)` moves only the calling thread, so it must never run on a Swift-concurrency pool
/// thread. Sockets created here (netlink sockets, probe sockets, listening sockets for in-process
/// servers) stay bound to the namespace after they are handed back to other threads, and
/// processes spawned from here (`posix_spawn`) start inside it.
public final class NamespaceThread: Sendable {
    public let namespace: NetworkNamespace
    /// Owned by the thread too, so the thread never touches a freed NamespaceThread.
    private let queue = WorkQueue()

    /// Starts the thread and moves it into `namespace`; throws if it cannot enter.
    ///
    /// - Parameter setup: runs on the thread right after it entered the namespace, before any
    ///   work, e.g. to give the thread a private mount namespace; an error fails the init.
    public init(_ namespace: NetworkNamespace, setup: (@Sendable () throws -> Void)? = nil) throws {
        self.namespace = namespace
        let entered = DispatchSemaphore(value: 0)
        let failure = LockedError()
        let queue = self.queue
        let thread = Thread {
            let fd = open(namespace.path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                failure.set(SystemCallError("opening namespace", namespace.name))
                entered.signal()
                return
            }
            defer { close(fd) }
            if fl_setns(fd, FL_CLONE_NEWNET) != 0 {
                failure.set(SystemCallError("entering namespace", namespace.name))
                entered.signal()
                return
            }
            do {
                try setup?()
            } catch {
                failure.set(error)
                entered.signal()
                return
            }
            entered.signal()
            queue.drain()
        }
        thread.name = "ns:\(namespace.name)"
        thread.start()
        entered.wait()
        if let error = failure.get() { throw error }
    }

    deinit { stop() }

    /// Runs `body` on the namespace's thread and waits for its result.
    public func run<T>(_ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            // The job must drop `body` before signalling: the worker thread still holds the job
            // afterwards, and `withoutActuallyEscaping` traps if `body` outlives this call.
            let state = JobState(body)
            let done = DispatchSemaphore(value: 0)
            let job = {
                state.result = Result { try state.body!() }
                state.body = nil
                done.signal()
            }
            queue.add(job, owner: namespace.name)
            done.wait()
            return try state.result!.get()
        }
    }

    /// Queues `body` on the namespace's thread without waiting for it, e.g. a long-running loop
    /// that owns the thread until it returns.
    public func perform(_ body: @escaping @Sendable () -> Void) {
        queue.add(body, owner: namespace.name)
    }

    /// Ends the thread once queued work is done. Idempotent.
    public func stop() { queue.stop() }
}

/// The jobs of one ``NamespaceThread``, run in order by its thread until stopped.
// Unchecked, soundly: each job (not Sendable: `run` waits for it) passes under the condition's lock to the one thread that runs it.
private final class WorkQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false

    func add(_ job: @escaping () -> Void, owner: String) {
        condition.lock()
        precondition(!stopping, "NamespaceThread \(owner) used after stop()")
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    func drain() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

private final class JobState<T> {
    var body: (() throws -> T)?
    var result: Result<T, Error>?
    init(_ body: @escaping () throws -> T) { self.body = body }
}

final class LockedError: Sendable {
    private let error = Mutex<Error?>(nil)
    func set(_ e: Error) { error.withLock { $0 = e } }
    func get() -> Error? { error.withLock { $0 } }
}
