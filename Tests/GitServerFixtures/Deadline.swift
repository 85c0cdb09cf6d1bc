public import Testing

/// The work did not finish before its deadline.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var limit: Duration
    public init(limit: Duration) { self.limit = limit }
    public var description: String { "did not finish within \(limit): something the test waits for never happened" }
}

/// Runs `work` against a deadline of real time: if the deadline comes
/// first, the work is cancelled, a failure is recorded at the caller and
/// ``DeadlineExceeded`` is thrown, so a test that waits for something
/// that never happens fails instead of hanging. The awaited work must end
/// when cancelled (a `TestClock` wait, `Controller.waitUntilIdle()` and
/// the producer's waits do). Swift Testing's `.timeLimit` is only a backstop.
public func withDeadline<T: Sendable>(
    _ limit: Duration = .seconds(60), sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            Issue.record("did not finish within \(limit)", sourceLocation: sourceLocation)
            throw DeadlineExceeded(limit: limit)
        }
        return value
    }
}
