import Synchronization

/// Tasks waiting in ``Controller/waitUntilIdle()``. A waiter is resumed
/// when the controller becomes idle or stops, or at once when its task is
/// cancelled, so a test's deadline can always end the wait.
final class IdleWaiters: Sendable {
    private struct State {
        var nextID = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters cancelled before they were added.
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    /// A new waiter's identity, taken before it is added.
    func makeID() -> Int {
        state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    /// Adds a waiter; resumes it at once if its task was cancelled already.
    func add(_ id: Int, _ continuation: CheckedContinuation<Void, Never>) {
        let cancelled = state.withLock { state in
            if state.cancelled.remove(id) != nil { return true }
            state.waiting[id] = continuation
            return false
        }
        if cancelled { continuation.resume() }
    }

    /// Resumes the waiter whose task was cancelled.
    func cancel(_ id: Int) {
        let continuation = state.withLock { state in
            guard let continuation = state.waiting.removeValue(forKey: id) else {
                state.cancelled.insert(id)
                return CheckedContinuation<Void, Never>?.none
            }
            return continuation
        }
        continuation?.resume()
    }

    /// Resumes every waiter.
    func resumeAll() {
        let waiting = state.withLock { state in
            defer { state.waiting = [:] }
            return state.waiting
        }
        for continuation in waiting.values { continuation.resume() }
    }
}
