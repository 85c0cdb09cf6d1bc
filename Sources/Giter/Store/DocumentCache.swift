import Synchronization

/// Parsed resource files by blob id, shared by a store and the
/// ``ExchangeLedger`` that checks its commits, so that a file is read and
/// parsed once per process: the check of a fetched commit parses the files
/// it changed, and the store's index then serves them from here.
///
/// A blob id names its contents, so an entry never goes stale. The cache
/// empties itself when it reaches `limit` entries (as the store's cache
/// always did); a file is then simply read again.
final class DocumentCache: Sendable {
    private let entries = Mutex<[ObjectID: ResourceDocument]>([:])
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// The parsed file with blob `id`, if it is cached.
    subscript(id: ObjectID) -> ResourceDocument? {
        entries.withLock { $0[id] }
    }

    /// Caches `document` as the contents of blob `id`, emptying the cache first when it is full.
    func insert(_ document: ResourceDocument, for id: ObjectID) {
        entries.withLock { entries in
            if entries[id] == nil, entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[id] = document
        }
    }
}
