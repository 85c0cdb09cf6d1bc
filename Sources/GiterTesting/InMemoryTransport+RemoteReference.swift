import Giter

extension InMemoryTransport {
    func fetchReference(_ name: RemoteReferenceName) async throws -> ObjectID? {
        let target = remote.reference(name)
        refs.set(name.rawValue, target)
        return target
    }

    func pushReference(_ name: RemoteReferenceName, to commit: ObjectID, expecting expected: ObjectID?) async throws
        -> PushOutcome
    {
        _ = try remote.commit(commit)
        let outcome = remote.pushReference(name, to: commit, expecting: expected)
        if case .pushed = outcome { refs.set(name.rawValue, commit) }
        return outcome
    }

    func deleteReference(_ name: RemoteReferenceName, expecting expected: ObjectID) async throws -> PushOutcome {
        let outcome = remote.deleteReference(name, expecting: expected)
        if case .pushed = outcome { refs.set(name.rawValue, nil) }
        return outcome
    }

    func listReferences(under prefixes: [String]) async throws -> [String: ObjectID] {
        for prefix in prefixes where !prefix.hasPrefix("refs/") {
            throw TransportError(.invalidArgument, "'\(prefix)' is not a ref prefix: give one that starts with refs/")
        }
        return remote.references(under: prefixes)
    }
}
