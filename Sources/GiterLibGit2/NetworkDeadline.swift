import Dispatch
import Giter
import GiterLocalGit
import Synchronization

/// Ends a blocking libgit2 call that talks to a server when it outlives
/// ``RemoteConfiguration/networkTimeLimit``.
///
/// libgit2 1.5 puts no time limit on its sockets (1.7 added one), so a read
/// from a server that accepted the connection and then says nothing blocks
/// for ever. From the limit on, once a second until the call returns, the
/// deadline interrupts the one thread making the call
/// (``Platform/interrupt(_:)``, with the signal unblocked on that thread for
/// the call's length): the system call it is blocked in fails with
/// `EINTR`, and libgit2 returns an error, which becomes
/// ``TransportError/Code/timedOut``. Signals go only while the call runs:
/// the deadline's lock orders the last one before the call's end.
final class NetworkDeadline: Sendable {
    private let thread: Platform.Thread
    private let state = Mutex((running: true, expired: false))

    private init(thread: Platform.Thread) {
        self.thread = thread
    }

    /// Runs `body` (libgit2 calls that talk to the server) on this thread
    /// under `limit`; throws `timedOut()` instead of `body`'s error when the
    /// limit passed. No limit, or no way to interrupt a call (a host app
    /// handles `SIGURG` itself), runs `body` as it is.
    static func run<Result>(
        limit: Duration?,
        timedOut: () -> TransportError,
        _ body: () throws(TransportError) -> Result
    ) throws(TransportError) -> Result {
        guard let limit, Platform.canInterruptBlockedCalls else { return try body() }
        let deadline = NetworkDeadline(thread: Platform.currentThread)
        let timer = DispatchSource.makeTimerSource(queue: .global())
        let (seconds, attoseconds) = limit.components
        timer.schedule(
            deadline: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)),
            repeating: .seconds(1))
        timer.setEventHandler { deadline.interrupt() }
        timer.resume()
        let outcome = Platform.withInterruptsAllowed { Swift.Result { () throws(TransportError) in try body() } }
        timer.cancel()
        let expired = deadline.finish()
        if case .failure = outcome, expired { throw timedOut() }
        return try outcome.get()
    }

    private func interrupt() {
        state.withLock { state in
            guard state.running else { return }
            state.expired = true
            Platform.interrupt(thread)
        }
    }

    /// Ends the deadline: no signal goes after it. Whether the limit passed.
    private func finish() -> Bool {
        state.withLock { state in
            state.running = false
            return state.expired
        }
    }
}
