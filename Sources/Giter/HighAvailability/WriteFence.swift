/// What lets a replica write a resource, and the fencing token its commit
/// carries: a ``LeaderElection`` (one lease for every key) or a
/// ``ShardCoordinator`` (the lease of the key's shard). A store with one
/// (``StoreOptions/fencing``) writes a key only while the fence gives a
/// token for it, and adds each token once to the commit (a `Giter-Lease`
/// trailer, see ``FencingToken``).
public protocol WriteFence: Sendable {
    /// The token to write `key` under now; `nil` when this replica may not write it.
    func fencingToken(for key: ResourceKey) -> FencingToken?
    /// Why `key` is not written while ``fencingToken(for:)`` is `nil`.
    func refusal(for key: ResourceKey) -> String
}

extension LeaderElection: WriteFence {
    public func fencingToken(for key: ResourceKey) -> FencingToken? { fencingToken }

    public func refusal(for key: ResourceKey) -> String {
        "this replica does not hold the lease \(reference): only the leader writes"
    }
}
