import Synchronization

/// Counts the operations of a transport by the route they took (for tests
/// and diagnostics): ``PushRoute`` for pushes, ``FetchRoute`` for fetches.
package final class RouteCounter<Route: Hashable & Sendable>: Sendable {
    private let counts = Mutex<[Route: Int]>([:])

    package init() {}

    package func record(_ route: Route) {
        counts.withLock { $0[route, default: 0] += 1 }
    }

    /// How many operations took `route`.
    package func count(_ route: Route) -> Int {
        counts.withLock { $0[route] ?? 0 }
    }
}

extension RouteCounter where Route == PushRoute {
    /// Pushes written directly into a repository on this machine.
    package var direct: Int { count(.direct) }
    /// Pushes through receive-pack (spawned, or a server's).
    package var receivePack: Int { count(.receivePack) }
}

extension RouteCounter where Route == FetchRoute {
    /// Fetches that found nothing to do (read in process).
    package var upToDate: Int { count(.upToDate) }
    /// Fetches that copied objects in process.
    package var direct: Int { count(.direct) }
    /// Fetches through upload-pack (spawned, or a server's).
    package var uploadPack: Int { count(.uploadPack) }
}
