import Glibc

/// The raw pthread mutex with priority inheritance behind ``PriorityInheritingMutex``.
///
/// Faultline runs a few threads at SCHED_FIFO — the DNS server's UDP loop, the link faults' delay
/// line — so their timing does not depend on how busy the machine is. Any plain lock such a thread
/// shares with an ordinary thread undoes that: if the ordinary thread is preempted while holding
/// it (by the program under test, by a CPU-stress worker, by any real-time thread below ours), the
/// real-time thread waits for it, for as long as the CPU is busy (the README's Benchmarks section
/// gives what that did to DNS latency). With `PTHREAD_PRIO_INHERIT` the kernel lends the waiter's
/// priority to the holder until it lets go, so the wait is the critical section itself.
/// Uncontended, locking costs what a plain mutex does (one atomic operation in user space).
final class PriorityInheritingLock {
    let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        defer { pthread_mutexattr_destroy(&attributes) }
        let protocolSet = pthread_mutexattr_setprotocol(&attributes, Int32(PTHREAD_PRIO_INHERIT))
        let initialized = pthread_mutex_init(mutex, &attributes)
        precondition(protocolSet == 0 && initialized == 0, "creating a priority-inheriting mutex: error \(protocolSet) \(initialized)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() {
        let result = pthread_mutex_lock(mutex)
        precondition(result == 0, "locking a priority-inheriting mutex: error \(result)")
    }

    func unlock() {
        let result = pthread_mutex_unlock(mutex)
        precondition(result == 0, "unlocking a priority-inheriting mutex: error \(result)")
    }
}

/// A condition variable waited on with a ``PriorityInheritingLock`` held: the hand-over of
/// `NSCondition`, without the priority inversion (see the lock's documentation).
final class PriorityInheritingCondition {
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        condition = .allocate(capacity: 1)
        let result = pthread_cond_init(condition, nil)
        precondition(result == 0, "creating a condition variable: error \(result)")
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    /// Waits (`lock` held) until signalled; `lock` is held again on return. Wake-ups may be
    /// spurious: wait in a loop on the state.
    func wait(on lock: PriorityInheritingLock) {
        let result = pthread_cond_wait(condition, lock.mutex)
        precondition(result == 0, "waiting on a condition variable: error \(result)")
    }

    func broadcast() { pthread_cond_broadcast(condition) }
    func signal() { pthread_cond_signal(condition) }
}
