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
}
