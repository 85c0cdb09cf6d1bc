internal import Dispatch
internal import Synchronization

/// A one-shot event ("the process exited"), awaited with a timeout.
final class ExitSignal: Sendable {
    private struct State {
        var fired = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Whether the event has fired.
    var hasFired: Bool {
        state.withLock { $0.fired }
    }

    /// Marks the event as fired and wakes every waiter with `true`.
    func signal() {
        let waiters = state.withLock { state in
            state.fired = true
            let waiters = state.waiters
            state.waiters = [:]
            return waiters
        }
        for waiter in waiters.values {
            waiter.resume(returning: true)
        }
    }

    /// Waits until the event fires (`true`) or `timeout` passes (`false`).
    func wait(timeout: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let token: Int? = state.withLock { state in
                if state.fired {
                    return nil
                }
                let token = state.nextWaiter
                state.nextWaiter += 1
                state.waiters[token] = continuation
                return token
            }
            guard let token else {
                continuation.resume(returning: true)
                return
            }
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
                let waiter = state.withLock { $0.waiters.removeValue(forKey: token) }
                waiter?.resume(returning: false)
            }
        }
    }
}
