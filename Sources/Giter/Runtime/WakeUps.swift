import Logging

/// Runs `body` with a stream of wake-ups for a waiter that checks the
/// remote on each: one at once, then one per `pollInterval` of `clock`
/// (the safety poll), one per hint of `events`, one per change the
/// process's shared ``RefWatcher`` of `remote` sees (when not `nil`), and one at `deadline`.
/// Wake-ups merge (the stream holds at most one), so a burst of hints
/// costs one check. Every task started here ends when `body` returns.
func withWakeUps<C: Clock<Duration>, T: Sendable>(
    events: ChangeNotifier?, watching remote: LocalRemote?, logger: Logger, pollInterval: Duration,
    deadline: C.Instant?, clock: C, _ body: (AsyncStream<Void>) async throws -> T
) async throws -> T {
    let (wakeUps, input) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    input.yield()
    // Subscribed before the first check, so no hint given after it is missed.
    let hints = events?.subscribe()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        if let hints {
            group.addTask {
                for await _ in hints { input.yield() }
            }
        }
        if let remote {
            group.addTask {
                await SharedRefWatches.shared.withHints(of: remote, logger: logger) { hints in
                    for await _ in hints { input.yield() }
                }
            }
        }
        // A poll interval of zero or less would spin a core: poll at most every millisecond.
        let pollInterval = max(pollInterval, .milliseconds(1))
        group.addTask {
            while true {
                try await clock.sleep(for: pollInterval)
                input.yield()
            }
        }
        if let deadline {
            group.addTask {
                try await clock.sleep(until: deadline, tolerance: nil)
                input.yield()
            }
        }
        defer { group.cancelAll() }
        return try await body(wakeUps)
    }
}
