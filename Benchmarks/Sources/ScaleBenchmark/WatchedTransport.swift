#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Giter
import Synchronization

/// Nanoseconds on the monotonic clock.
func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// A Transport that forwards to another and notes when each fetch ended
/// and which tip it brought: the point a dispatch is measured from.
struct WatchedTransport: Transport {
    struct Fetch: Sendable {
        var tip: ObjectID?
        var start: UInt64
        var end: UInt64
    }

    final class Log: Sendable {
        private let fetches = Mutex<[Fetch]>([])
        func note(_ fetch: Fetch) { fetches.withLock { $0.append(fetch) } }
        /// The first fetch that returned `tip`.
        func first(bringing tip: ObjectID) -> Fetch? { fetches.withLock { $0.first { $0.tip == tip } } }
        var all: [Fetch] { fetches.withLock { $0 } }
    }

    let inner: any Transport
    let log: Log

    var configuration: RemoteConfiguration { inner.configuration }
    var localRemote: LocalRemote? { inner.localRemote }

    func fetch() async throws -> ObjectID? {
        let start = now()
        let tip = try await inner.fetch()
        log.note(Fetch(tip: tip, start: start, end: now()))
        return tip
    }

    func remoteTip() async throws -> ObjectID? { try await inner.remoteTip() }
    func resolve(_ reference: String) async throws -> ObjectID? { try await inner.resolve(reference) }
    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        try await inner.treeEntries(at: commit, under: prefix)
    }
    func blob(_ id: ObjectID) async throws -> [UInt8] { try await inner.blob(id) }
    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        try await inner.changes(from: old, to: new, under: prefix)
    }
    func createCommit(_ request: CommitRequest, signer: (any CommitSigner)?) async throws -> ObjectID {
        try await inner.createCommit(request, signer: signer)
    }
    func updateReference(_ reference: String, to new: ObjectID, expecting expected: ObjectID?) async throws -> Bool {
        try await inner.updateReference(reference, to: new, expecting: expected)
    }
    func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome {
        try await inner.push(commit, expecting: expected)
    }
    func history(of path: String, from commit: ObjectID, limit: Int?) async throws -> [CommitInfo] {
        try await inner.history(of: path, from: commit, limit: limit)
    }
    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await inner.commits(from: new, excluding: old, limit: limit)
    }
    func commitObject(_ id: ObjectID) async throws -> CommitObject { try await inner.commitObject(id) }
    func localValue(named name: LocalValueName) async throws -> [UInt8]? { try await inner.localValue(named: name) }
    func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {
        try await inner.storeLocalValue(value, named: name)
    }
}
