package import Giter

/// A ``Transport`` that wraps another and hands every call to it: a
/// benchmark's wrapper implements only the calls it observes (a push, a
/// fetch) and inherits the rest, so no call — the batched `blobs(_:)`
/// included — silently falls back to a slower default.
package protocol ForwardingTransport: Transport {
    var inner: any Transport { get }
}

extension ForwardingTransport {
    package var configuration: RemoteConfiguration { inner.configuration }
    package var localRemote: LocalRemote? { inner.localRemote }

    package func remoteTip() async throws -> ObjectID? { try await inner.remoteTip() }
    package func fetch() async throws -> ObjectID? { try await inner.fetch() }
    package func resolve(_ reference: String) async throws -> ObjectID? { try await inner.resolve(reference) }
    package func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        try await inner.treeEntries(at: commit, under: prefix)
    }
    package func blob(_ id: ObjectID) async throws -> [UInt8] { try await inner.blob(id) }
    package func releaseCaches() async throws { try await inner.releaseCaches() }
    package func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]] { try await inner.blobs(ids) }
    package func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        try await inner.changes(from: old, to: new, under: prefix)
    }
    package func createCommit(_ request: CommitRequest, signer: (any CommitSigner)?) async throws -> ObjectID {
        try await inner.createCommit(request, signer: signer)
    }
    package func updateReference(_ reference: String, to new: ObjectID, expecting expected: ObjectID?) async throws
        -> Bool
    {
        try await inner.updateReference(reference, to: new, expecting: expected)
    }
    package func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome {
        try await inner.push(commit, expecting: expected)
    }
    package func fetchReference(_ name: RemoteReferenceName) async throws -> ObjectID? {
        try await inner.fetchReference(name)
    }
    package func pushReference(_ name: RemoteReferenceName, to commit: ObjectID, expecting expected: ObjectID?)
        async throws -> PushOutcome
    {
        try await inner.pushReference(name, to: commit, expecting: expected)
    }
    package func history(of path: String, from commit: ObjectID, limit: Int?) async throws -> [CommitInfo] {
        try await inner.history(of: path, from: commit, limit: limit)
    }
    package func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await inner.commits(from: new, excluding: old, limit: limit)
    }
    package func commitObject(_ id: ObjectID) async throws -> CommitObject { try await inner.commitObject(id) }
    package func localValue(named name: LocalValueName) async throws -> [UInt8]? {
        try await inner.localValue(named: name)
    }
    package func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {
        try await inner.storeLocalValue(value, named: name)
    }
}
