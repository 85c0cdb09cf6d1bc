/// How often and how patiently to retry: exponential backoff with full
/// jitter (each delay is random between zero and the exponential bound).
public struct RetryPolicy: Sendable, Hashable {
    /// The most attempts, the first included.
    public var maxAttempts: Int
    /// The bound of the delay before the second attempt.
    public var initialDelay: Duration
    /// The most any delay can be.
    public var maxDelay: Duration

    /// How long a push keeps trying while the remote branch's lock file is
    /// held by another writer (``PushOutcome/locked(message:)``), from the
    /// first such answer: then the write fails with
    /// ``StoreError/Code/branchLocked``, where a lost race would be retried.
    public var lockPatience: Duration

    /// A policy from its parts.
    public init(
        maxAttempts: Int = 20, initialDelay: Duration = .milliseconds(10), maxDelay: Duration = .seconds(2),
        lockPatience: Duration = .seconds(3)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.lockPatience = lockPatience
    }

    /// 20 attempts, delays from 10 ms doubling up to 2 s: about 20 s of patience in all
    /// (delays are random below the bound, so half that on average); 3 s for a held lock.
    public static var `default`: RetryPolicy { RetryPolicy() }

    /// The upper bound of the delay after `failures` failed attempts (1 or more).
    public func bound(afterFailures failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let scaled = initialDelay * (1 << exponent)
        return min(scaled, maxDelay)
    }

    /// A random delay between zero and ``bound(afterFailures:)``.
    public func delay<G: RandomNumberGenerator>(afterFailures failures: Int, using generator: inout G) -> Duration {
        let bound = bound(afterFailures: failures)
        let nanoseconds = bound.components.seconds * 1_000_000_000 + bound.components.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &generator))
    }

    /// A random delay between zero and ``bound(afterFailures:)``.
    public func delay(afterFailures failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }
}
