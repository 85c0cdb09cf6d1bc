import Giter

/// A ``Transport`` that announces fetches, commits and pushes on standard
/// output (``PhaseLog``) before handing them to the real transport, so that
/// the soak's driver knows what a process was doing when it killed it.
/// Nothing else changes: every call goes to `base` as it came.
struct PhaseLoggingTransport: Transport {
    let base: any Transport

    var configuration: RemoteConfiguration { base.configuration }
    var localRemote: LocalRemote? { base.localRemote }

    private func logged<T>(_ phase: PhaseLog.Phase, _ body: () async throws -> T) async throws -> T {
        PhaseLog.phase(phase, begin: true)
        defer { PhaseLog.phase(phase, begin: false) }
        return try await body()
    }

    func remoteTip() async throws -> ObjectID? { try await base.remoteTip() }

    func fetch() async throws -> ObjectID? { try await logged(.fetch) { try await base.fetch() } }

    func createCommit(_ request: CommitRequest, signer: (any CommitSigner)?) async throws -> ObjectID {
        try await logged(.commit) { try await base.createCommit(request, signer: signer) }
    }

    func updateReference(_ reference: String, to new: ObjectID, expecting expected: ObjectID?) async throws -> Bool {
        try await base.updateReference(reference, to: new, expecting: expected)
    }

    func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome {
        try await logged(.push) { try await base.push(commit, expecting: expected) }
    }

    func history(of path: String, from commit: ObjectID, limit: Int?) async throws -> [CommitInfo] {
        try await base.history(of: path, from: commit, limit: limit)
    }

    func localValue(named name: LocalValueName) async throws -> [UInt8]? { try await base.localValue(named: name) }

    func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws {
        try await base.storeLocalValue(value, named: name)
    }

    func resolve(_ reference: String) async throws -> ObjectID? { try await base.resolve(reference) }

    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        try await base.treeEntries(at: commit, under: prefix)
    }

    func blob(_ id: ObjectID) async throws -> [UInt8] { try await base.blob(id) }

    func releaseCaches() async throws { try await base.releaseCaches() }

    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        try await base.changes(from: old, to: new, under: prefix)
    }

    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        try await base.commits(from: new, excluding: old, limit: limit)
    }

    func commitObject(_ id: ObjectID) async throws -> CommitObject { try await base.commitObject(id) }
}
