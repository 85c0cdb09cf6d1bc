/// The example producer's wait between two looks at the exchange: the
/// first of a hint (a webhook) or the poll interval.
///
/// The campaign follows every experiment's progress (not only `Ready`),
/// so it runs its own loop instead of `Producer.waitAll(for:events:)`,
/// which takes the same `ChangeNotifier`; this is that loop's wait.
enum HintOrPoll {
    /// Returns at the first element of `hints` or after `interval`,
    /// whichever is first; without hints, after `interval`.
    ///
    /// `hints` is one subscription per wait: a cancelled wait on an
    /// `AsyncStream` ends it, so it is never reused.
    static func wait(for hints: AsyncStream<Void>?, orAtMost interval: Duration) async throws {
        guard let hints else {
            try await Task.sleep(for: interval)
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var iterator = hints.makeAsyncIterator()
                if await iterator.next() == nil {
                    // The notifier finished: only the poll is left.
                    try await Task.sleep(for: interval)
                }
            }
            group.addTask { try await Task.sleep(for: interval) }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
