import Synchronization

/// A clock whose time moves only when a test moves it, so a test can
/// drive a `Controller` (polls, requeues, backoff, the status write
/// window) or a `Producer` wait without sleeping.
///
/// ```swift
/// let clock = TestClock()
/// let controller = Controller(store: consumer, reconciler: ReportReconciler(), clock: clock)
/// // ... the reconciler asked to be called again in 30 s:
/// try await clock.waitForSleepers(2)   // the poll timer and the requeue
/// clock.advance(by: .seconds(30))      // the requeue fires; nothing real waited
/// ```
///
/// A task that sleeps on it (`clock.sleep(for:)`, `sleep(until:)`) waits
/// until ``advance(by:)`` or ``advance(to:)`` moves ``now`` to its deadline,
/// or until it is cancelled (then it throws `CancellationError`, as
/// `Task.sleep` does). A deadline already reached returns at once.
/// ``waitForSleepers(_:)`` awaits the moment code under test has started
/// waiting, so that a test advances time only after it, deterministically.
///
/// Copies share one time line: give the same clock to the code under test
/// and keep it in the test.
public struct TestClock: Clock, Sendable {
    /// A point on a test clock's time line: the time since the clock started.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// The time since the clock started.
        public var offset: Duration

        /// The instant `offset` after the clock's start.
        public init(offset: Duration) {
            self.offset = offset
        }

        public func advanced(by duration: Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        public func duration(to other: Instant) -> Duration {
            other.offset - offset
        }

        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }

        public var description: String { "\(offset)" }
    }

    private let state: TestClockState

    /// A clock that starts at `now` (the zero instant unless given).
    public init(now: Instant = Instant(offset: .zero)) {
        state = TestClockState(now: now)
    }

    /// The current instant; it moves only with ``advance(by:)`` and ``advance(to:)``.
    public var now: Instant { state.now }

    /// Zero: a test clock can be moved by any amount.
    public var minimumResolution: Duration { .zero }

    /// Waits until the clock is advanced to `deadline`, or throws
    /// `CancellationError` when the calling task is cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await state.wait(for: .deadline(deadline))
    }

    /// Moves the clock forward by `duration` and wakes every sleeper whose
    /// deadline is reached, earliest first. The woken tasks run after this
    /// returns: await what they do (a condition, ``waitForSleepers(_:)``).
    public func advance(by duration: Duration) {
        state.advance { $0.advanced(by: duration) }
    }

    /// Moves the clock forward to `instant` (never backward) and wakes every
    /// sleeper whose deadline is reached, earliest first.
    public func advance(to instant: Instant) {
        state.advance { _ in instant }
    }

    /// How many tasks are sleeping on the clock now.
    public var sleeperCount: Int { state.deadlines.count }

    /// The deadlines of the tasks sleeping on the clock now, earliest first.
    public var deadlines: [Instant] { state.deadlines }

    /// Returns once at least `count` tasks are sleeping on the clock: the
    /// code under test has started to wait, and advancing now is not too early.
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    public func waitForSleepers(_ count: Int = 1) async throws {
        try await state.wait(for: .sleepers(count))
    }
}

/// The shared time line of a ``TestClock`` and the tasks waiting on it.
private final class TestClockState: Sendable {
    enum Wait: Sendable {
        /// A sleeper, until the clock reaches the instant.
        case deadline(TestClock.Instant)
        /// A test, until that many sleepers wait.
        case sleepers(Int)
    }

    private struct Waiter {
        var wait: Wait
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: TestClock.Instant
        var nextID = 0
        var waiters: [Int: Waiter] = [:]
        /// Waits cancelled before they were registered.
        var cancelled: Set<Int> = []

        var sleeperCount: Int {
            waiters.values.count { if case .deadline = $0.wait { true } else { false } }
        }

        /// Removes and returns the waiters whose condition holds, sleepers earliest first.
        mutating func takeReady() -> [CheckedContinuation<Void, any Error>] {
            var ready: [(order: TestClock.Instant, id: Int)] = []
            for (id, waiter) in waiters {
                switch waiter.wait {
                case .deadline(let deadline) where deadline <= now:
                    ready.append((deadline, id))
                default:
                    break
                }
            }
            ready.sort { ($0.order, $0.id) < ($1.order, $1.id) }
            var continuations = ready.compactMap { waiters.removeValue(forKey: $0.id)?.continuation }
            let sleepers = sleeperCount
            for (id, waiter) in waiters {
                if case .sleepers(let count) = waiter.wait, sleepers >= count {
                    continuations.append(waiters.removeValue(forKey: id)!.continuation)
                }
            }
            return continuations
        }
    }

    private let state: Mutex<State>

    init(now: TestClock.Instant) {
        state = Mutex(State(now: now))
    }

    var now: TestClock.Instant { state.withLock { $0.now } }

    var deadlines: [TestClock.Instant] {
        state.withLock { state in
            state.waiters.values.compactMap { if case .deadline(let deadline) = $0.wait { deadline } else { nil } }
                .sorted()
        }
    }

    /// Waits until `wait` holds; throws `CancellationError` when the task is cancelled first.
    func wait(for wait: Wait) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (cancelled, ready) = state.withLock { state in
                    if state.cancelled.remove(id) != nil { return (true, [CheckedContinuation<Void, any Error>]()) }
                    state.waiters[id] = Waiter(wait: wait, continuation: continuation)
                    return (false, state.takeReady())
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
                for waiter in ready { waiter.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return CheckedContinuation<Void, any Error>?.none
                }
                return waiter.continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Moves the time line to `next(now)` if that is later, and wakes who is due.
    func advance(_ next: (TestClock.Instant) -> TestClock.Instant) {
        let ready = state.withLock { state in
            state.now = max(state.now, next(state.now))
            return state.takeReady()
        }
        for waiter in ready { waiter.resume() }
    }
}
