import Logging
import Synchronization

/// The ref watchers of this process: one ``RefWatcher`` per repository and
/// ref, shared by every controller and producer wait that watches it.
///
/// Each wait and each controller used to start its own watcher; on Linux
/// every one is an inotify instance, and a user has few of them
/// (`fs.inotify.max_user_instances`, 128 on many systems), so a host app
/// waiting on many keys at once ran out and fell back to polling. Now the
/// first waiter of a repository starts its watcher, later ones subscribe
/// to its hints, and the last one to leave stops it. A watcher that fails
/// is logged once and forgotten, so the next waiter tries again.
final class SharedRefWatches: Sendable {
    /// The watchers of the process.
    static let shared = SharedRefWatches()

    private struct Watch {
        var id: Int
        var changes: ChangeNotifier
        var users: Int
        var task: Task<Void, Never>
    }

    private struct State {
        var nextID = 0
        var watches: [LocalRemote: Watch] = [:]
    }

    private let state = Mutex(State())

    /// Runs `body` with the hints of the shared watcher of `remote`,
    /// started for the first user; `logger` reports a watcher this call
    /// starts that fails. The subscription ends when `body` returns.
    func withHints<T>(
        of remote: LocalRemote, logger: Logger, _ body: (AsyncStream<Void>) async throws -> T
    ) async rethrows -> T {
        let (id, hints) = join(remote, logger: logger)
        defer { leave(remote, id: id) }
        return try await body(hints)
    }

    /// The number of watchers running: for tests.
    var count: Int { state.withLock { $0.watches.count } }

    private func join(_ remote: LocalRemote, logger: Logger) -> (Int, AsyncStream<Void>) {
        state.withLock { state in
            if var watch = state.watches[remote] {
                watch.users += 1
                state.watches[remote] = watch
                return (watch.id, watch.changes.subscribe())
            }
            state.nextID += 1
            let id = state.nextID
            let changes = ChangeNotifier()
            // Subscribed before the watcher starts, so its first hint is seen.
            let hints = changes.subscribe()
            let task = Task { [weak self] in
                await RefWatcher(remote, logger: logger).runReportingFailure { changes.notify() }
                // Ended by a failure (or by the last user): the next waiter starts a new one.
                self?.forget(remote, id: id)
                changes.finish()
            }
            state.watches[remote] = Watch(id: id, changes: changes, users: 1, task: task)
            return (id, hints)
        }
    }

    private func leave(_ remote: LocalRemote, id: Int) {
        let ended: Task<Void, Never>? = state.withLock { state in
            guard var watch = state.watches[remote], watch.id == id else { return nil }
            watch.users -= 1
            guard watch.users == 0 else {
                state.watches[remote] = watch
                return nil
            }
            state.watches[remote] = nil
            return watch.task
        }
        ended?.cancel()
    }

    private func forget(_ remote: LocalRemote, id: Int) {
        state.withLock { state in
            if state.watches[remote]?.id == id { state.watches[remote] = nil }
        }
    }
}
