import Giter

/// A store that shows one namespace of another: what `giter reconcile`
/// reconciles without `--all-namespaces`. Reads outside the namespace find
/// nothing; writes go through unchanged (the controller writes only what it read).
struct NamespacedStore<Base: ResourceStore>: ResourceStore {
    typealias Resource = Base.Resource

    let base: Base
    let namespace: String

    var resourceType: ResourceType { base.resourceType }
    var identity: ExchangeIdentity { base.identity }
    var localRemote: LocalRemote? { base.localRemote }

    func remoteMoved() async throws -> Bool { try await base.remoteMoved() }
    func refresh() async throws -> StoreRevision? { try await base.refresh() }
    func revision() async -> StoreRevision? { await base.revision() }

    func get(_ key: ResourceKey) async throws -> StoredResource<Resource>? {
        key.namespace == namespace ? try await base.get(key) : nil
    }

    func list(_ query: ResourceQuery) async throws -> [StoredResource<Resource>] {
        guard query.namespace == nil || query.namespace == namespace else { return [] }
        var query = query
        query.namespace = namespace
        return try await base.list(query)
    }

    func changes(since revision: StoreRevision?) async throws -> ResourceChanges<Resource> {
        inNamespace(try await base.changes(since: revision))
    }

    func changes(since revision: StoreRevision?, after key: ResourceKey?, limit: Int) async throws
        -> ResourceChanges<Resource>
    {
        inNamespace(try await base.changes(since: revision, after: key, limit: limit))
    }

    /// `changes` without the other namespaces' (a part may come out empty; its end stays).
    private func inNamespace(_ changes: ResourceChanges<Resource>) -> ResourceChanges<Resource> {
        ResourceChanges(
            revision: changes.revision,
            updated: changes.updated.filter { $0.key.namespace == namespace },
            removed: changes.removed.filter { $0.namespace == namespace },
            invalid: changes.invalid.filter { $0.key.namespace == namespace },
            unreadable: changes.unreadable.filter { $0.key.namespace == namespace },
            partEnd: changes.partEnd)
    }

    func write(_ writes: [ResourceWrite<Resource>]) async throws -> WriteResult {
        try await base.write(writes)
    }
}
