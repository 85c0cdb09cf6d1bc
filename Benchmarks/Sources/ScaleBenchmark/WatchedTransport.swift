#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import BenchmarkTransport
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
struct WatchedTransport: ForwardingTransport {
    struct Fetch: Sendable {
        var tip: ObjectID?
        var start: UInt64
        var end: UInt64
    }

    /// A call other than a fetch, for GITER_SCALE_DISPATCH's account of a change.
    struct Call: Sendable {
        var name: String
        var start: UInt64
        var end: UInt64
        var items: Int
    }

    final class Log: Sendable {
        private let fetches = Mutex<[Fetch]>([])
        private let calls = Mutex<[Call]>([])
        private let recordsCalls = Atomic<Bool>(false)
        /// From now on, calls other than fetches are noted. Off until then: noting
        /// each of a sync's 100,000 reads made the benchmark's own memory part of
        /// the consumer's peak (21 MB at 100,000 resources, heaptrack).
        func recordCalls() { recordsCalls.store(true, ordering: .relaxed) }
        func note(_ call: Call) {
            guard recordsCalls.load(ordering: .relaxed) else { return }
            calls.withLock { $0.append(call) }
        }
        /// The calls that ended after `start` and began before `end`.
        func calls(between start: UInt64, and end: UInt64) -> [Call] {
            calls.withLock { $0.filter { $0.end > start && $0.start < end } }
        }
        func note(_ fetch: Fetch) { fetches.withLock { $0.append(fetch) } }
        /// The first fetch that returned `tip`.
        func first(bringing tip: ObjectID) -> Fetch? { fetches.withLock { $0.first { $0.tip == tip } } }
        var all: [Fetch] { fetches.withLock { $0 } }
    }

    let inner: any Transport
    let log: Log

    /// Runs `body` and notes it as a call named `name` of `items(result)` items.
    private func timed<T>(_ name: String, items: (T) -> Int, _ body: () async throws -> T) async rethrows -> T {
        let start = now()
        let result = try await body()
        log.note(Call(name: name, start: start, end: now(), items: items(result)))
        return result
    }

    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        let name = "changes(from: \(old == nil ? "nil" : "commit"), under: \(prefix ?? "nil"))"
        return try await timed(name, items: \.count) { try await inner.changes(from: old, to: new, under: prefix) }
    }

    func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]] {
        try await timed("blobs", items: \.count) { try await inner.blobs(ids) }
    }

    func blob(_ id: ObjectID) async throws -> [UInt8] {
        try await timed("blob", items: { _ in 1 }) { try await inner.blob(id) }
    }

    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        try await timed("treeEntries(under: \(prefix ?? "nil"))", items: \.count) {
            try await inner.treeEntries(at: commit, under: prefix)
        }
    }

    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await timed("commits", items: \.count) { try await inner.commits(from: new, excluding: old, limit: limit) }
    }

    func commitObject(_ id: ObjectID) async throws -> CommitObject {
        try await timed("commitObject", items: { _ in 1 }) { try await inner.commitObject(id) }
    }

    func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {
        try await timed("storeLocalValue(\(name))", items: { _ in value?.count ?? 0 }) {
            try await inner.storeLocalValue(value, named: name)
        }
    }

    func localValue(named name: LocalValueName) async throws -> [UInt8]? {
        try await timed("localValue(\(name))", items: { $0?.count ?? 0 }) { try await inner.localValue(named: name) }
    }

    func fetch() async throws -> ObjectID? {
        let start = now()
        let tip = try await inner.fetch()
        log.note(Fetch(tip: tip, start: start, end: now()))
        return tip
    }
}
