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

extension LibGit2Transport {
    /// Deletes through receive-pack, never directly, as ``pushReference(_:to:expecting:)`` pushes.
    public func deleteReference(_ name: RemoteReferenceName, expecting expected: ObjectID) async throws -> PushOutcome {
        let configuration = configuration
        return try await queue.run { (repository) throws(TransportError) in
            try repository.deleteReference(name, expecting: expected, configuration)
        }
    }

    /// One connection that lists the remote's refs, kept to `prefixes`.
    public func listReferences(under prefixes: [String]) async throws -> [String: ObjectID] {
        for prefix in prefixes where !prefix.hasPrefix("refs/") {
            throw TransportError(.invalidArgument, "'\(prefix)' is not a ref prefix: give one that starts with refs/")
        }
        guard !prefixes.isEmpty else { return [:] }
        let configuration = configuration
        return try await queue.run { (repository) throws(TransportError) in
            try repository.listReferences(under: prefixes, configuration)
        }
    }
}
