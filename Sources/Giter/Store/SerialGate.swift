import Synchronization

/// Lets one caller at a time through, in the order they arrived, without
/// blocking a thread: how a store serializes its refreshes and writes
/// while reads run alongside.
final class SerialGate: Sendable {
    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())
    /// Told each time a caller starts waiting (for ``waitForWaiters(_:)``).
    private let queued = ChangeNotifier()

    /// Returns once the caller holds the gate; pair with ``release()``.
    func acquire() async {
        await withCheckedContinuation { continuation in
            let passes = state.withLock { state in
                if !state.busy {
                    state.busy = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if passes {
                continuation.resume()
            } else {
                queued.notify()
            }
        }
    }

    /// Returns once at least `count` callers wait for the gate, or the task
    /// is cancelled (for tests).
    func waitForWaiters(_ count: Int) async {
        let hints = queued.subscribe()
        if waiting >= count { return }
        for await _ in hints where waiting >= count { return }
    }

    /// How many callers wait for the gate.
    private var waiting: Int { state.withLock { $0.waiters.count } }

    /// Lets the next waiter through, or opens the gate.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
