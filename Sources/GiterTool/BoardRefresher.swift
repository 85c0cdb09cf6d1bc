import Giter
import Logging
import ServiceLifecycle

/// Keeps the board's snapshot up to date: reads the exchange again at each
/// hint (the repository's ref watcher when the remote is on this machine,
/// a verified webhook) and at each poll, and tells the board's open pages
/// when the branch moved.
struct BoardRefresher: Service {
    let source: ExchangeBoardSource
    /// Where event sources post hints.
    let hints: ChangeNotifier
    /// Notified when the branch moved; the board's `/events` streams send `change`.
    let updates: ChangeNotifier
    let pollInterval: Duration
    let localRemote: LocalRemote?
    let logger: Logger

    func run() async throws {
        let wakeUps = hints.subscribe()
        await withDiscardingTaskGroup { group in
            if let localRemote {
                group.addTask {
                    do {
                        try await RefWatcher(localRemote, logger: logger).run(notifying: hints)
                    } catch is CancellationError {
                    } catch {
                        logger.warning("not watching the repository on this machine, polling instead: \(error)")
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: pollInterval) } catch { return }
                    hints.notify()
                }
            }
            for await _ in wakeUps.cancelOnGracefulShutdown() {
                do {
                    if try await source.update() { updates.notify() }
                } catch {
                    logger.warning("cannot read the exchange, showing the last snapshot: \(error)")
                }
            }
            group.cancelAll()
        }
    }
}
