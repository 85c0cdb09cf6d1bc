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
            if passes { continuation.resume() }
        }
    }

    /// How many callers wait for the gate (for tests).
    var waiting: Int { state.withLock { $0.waiters.count } }

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
