public import Giter

extension LibGit2Transport {
    /// Lists the remote's refs and downloads `name`'s objects when the
    /// mirror lacks them; the mirror keeps the ref under the same name.
    public func fetchReference(_ name: RemoteReferenceName) async throws -> ObjectID? {
        let configuration = configuration
        return try await queue.run { (repository) throws(TransportError) in
            try repository.fetchReference(name, configuration)
        }
    }

    /// Pushes through receive-pack (a spawned `git-receive-pack` for a
    /// remote on this machine, so its hooks apply), never directly.
    public func pushReference(_ name: RemoteReferenceName, to commit: ObjectID, expecting expected: ObjectID?)
        async throws -> PushOutcome
    {
        let configuration = configuration
        return try await queue.run { (repository) throws(TransportError) in
            try repository.pushReference(name, to: commit, expecting: expected, configuration)
        }
    }
}
