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
        func note(_ call: Call) { calls.withLock { $0.append(call) } }
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

    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        let start = now()
        let changes = try await inner.changes(from: old, to: new, under: prefix)
        let name = "changes(from: \(old == nil ? "nil" : "commit"), under: \(prefix ?? "nil"))"
        log.note(Call(name: name, start: start, end: now(), items: changes.count))
        return changes
    }

    func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]] {
        let start = now()
        let blobs = try await inner.blobs(ids)
        log.note(Call(name: "blobs", start: start, end: now(), items: ids.count))
        return blobs
    }

    func blob(_ id: ObjectID) async throws -> [UInt8] {
        let start = now()
        let blob = try await inner.blob(id)
        log.note(Call(name: "blob", start: start, end: now(), items: 1))
        return blob
    }

    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        let start = now()
        let entries = try await inner.treeEntries(at: commit, under: prefix)
        log.note(Call(name: "treeEntries(under: \(prefix ?? "nil"))", start: start, end: now(), items: entries.count))
        return entries
    }

    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        let start = now()
        let commits = try await inner.commits(from: new, excluding: old, limit: limit)
        log.note(Call(name: "commits", start: start, end: now(), items: commits.count))
        return commits
    }

    func commitObject(_ id: ObjectID) async throws -> CommitObject {
        let start = now()
        let commit = try await inner.commitObject(id)
        log.note(Call(name: "commitObject", start: start, end: now(), items: 1))
        return commit
    }

    func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {
        let start = now()
        try await inner.storeLocalValue(value, named: name)
        log.note(Call(name: "storeLocalValue(\(name))", start: start, end: now(), items: value?.count ?? 0))
    }

    func localValue(named name: LocalValueName) async throws -> [UInt8]? {
        let start = now()
        let value = try await inner.localValue(named: name)
        log.note(Call(name: "localValue(\(name))", start: start, end: now(), items: value?.count ?? 0))
        return value
    }

    func fetch() async throws -> ObjectID? {
        let start = now()
        let tip = try await inner.fetch()
        log.note(Fetch(tip: tip, start: start, end: now()))
        return tip
    }
}
