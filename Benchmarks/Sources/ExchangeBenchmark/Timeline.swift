import Giter
import Synchronization

/// Every Transport call and reconcile of a run, with its start and end, so
/// that a round trip can be cut into its parts afterwards.
final class Timeline: Sendable {
    enum Side: String, Sendable { case producer, consumer }

    enum Operation: String, Sendable {
        case remoteTip, fetch, resolve, treeEntries, blob, blobs, changes, createCommit, updateReference, push, history,
            commits, commitObject
        case reconcile
    }

    struct Event: Sendable {
        var side: Side
        var operation: Operation
        var start: UInt64
        var end: UInt64
        /// The tip a `remoteTip`/`fetch` returned, the commit a `push` pushed or `createCommit` made.
        var commit: ObjectID?

        var duration: UInt64 { end - start }
    }

    private let events = Mutex<[Event]>([])

    func record(_ side: Side, _ operation: Operation, start: UInt64, end: UInt64, commit: ObjectID?) {
        let event = Event(side: side, operation: operation, start: start, end: end, commit: commit)
        events.withLock { $0.append(event) }
    }

    /// The events so far, sorted by start; the timeline is emptied.
    func take() -> [Event] {
        events.withLock { events in
            defer { events.removeAll(keepingCapacity: true) }
            return events.sorted { $0.start < $1.start }
        }
    }
}

/// A Transport that forwards to another and records each call on a timeline.
struct TimedTransport: Transport {
    let inner: any Transport
    let side: Timeline.Side
    let timeline: Timeline

    var configuration: RemoteConfiguration { inner.configuration }
    var localRemote: LocalRemote? { inner.localRemote }

    private func timed<T>(
        _ operation: Timeline.Operation,
        commit: (T) -> ObjectID? = { _ in nil },
        _ body: () async throws -> T
    ) async throws -> T {
        let start = nowNanoseconds()
        let result = try await body()
        timeline.record(side, operation, start: start, end: nowNanoseconds(), commit: commit(result))
        return result
    }

    func remoteTip() async throws -> ObjectID? {
        try await timed(.remoteTip, commit: { $0 }) { try await inner.remoteTip() }
    }

    func fetch() async throws -> ObjectID? {
        try await timed(.fetch, commit: { $0 }) { try await inner.fetch() }
    }

    func resolve(_ reference: String) async throws -> ObjectID? {
        try await timed(.resolve) { try await inner.resolve(reference) }
    }

    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        try await timed(.treeEntries) { try await inner.treeEntries(at: commit, under: prefix) }
    }

    func blob(_ id: ObjectID) async throws -> [UInt8] {
        try await timed(.blob) { try await inner.blob(id) }
    }

    func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]] {
        try await timed(.blobs) { try await inner.blobs(ids) }
    }

    func releaseCaches() async throws { try await inner.releaseCaches() }

    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        try await timed(.changes) { try await inner.changes(from: old, to: new, under: prefix) }
    }

    func createCommit(_ request: CommitRequest, signer: (any CommitSigner)?) async throws -> ObjectID {
        try await timed(.createCommit, commit: { $0 }) { try await inner.createCommit(request, signer: signer) }
    }

    func updateReference(_ reference: String, to new: ObjectID, expecting expected: ObjectID?) async throws -> Bool {
        try await timed(.updateReference) { try await inner.updateReference(reference, to: new, expecting: expected) }
    }

    func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome {
        try await timed(.push, commit: { outcome in outcome == .pushed(commit) ? commit : nil }) {
            try await inner.push(commit, expecting: expected)
        }
    }

    func history(of path: String, from commit: ObjectID, limit: Int?) async throws -> [CommitInfo] {
        try await timed(.history) { try await inner.history(of: path, from: commit, limit: limit) }
    }

    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await timed(.commits) { try await inner.commits(from: new, excluding: old, limit: limit) }
    }

    func commitObject(_ id: ObjectID) async throws -> CommitObject {
        try await timed(.commitObject) { try await inner.commitObject(id) }
    }

    // Not on the timeline: the store's own bookkeeping, not an exchange step.
    func localValue(named name: LocalValueName) async throws -> [UInt8]? {
        try await inner.localValue(named: name)
    }

    func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {
        try await inner.storeLocalValue(value, named: name)
    }
}
