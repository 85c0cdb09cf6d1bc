public import Giter
import Synchronization

extension InMemoryRemote {
    /// What the remote ref `name` (such as a lease) points at; `nil` when
    /// there is no such ref.
    public func reference(_ name: RemoteReferenceName) -> ObjectID? {
        state.withLock { $0.reference(name.rawValue) }
    }

    /// Points the remote ref `name` at `commit` (`nil` deletes it),
    /// whatever it held: how a test plays another writer of a lease.
    public func resetReference(_ name: RemoteReferenceName, to commit: ObjectID?) {
        state.withLock { $0.setReference(name.rawValue, commit) }
    }

    /// The compare-and-swap of ``Transport/pushReference(_:to:expecting:)``.
    /// The failures of ``failNextPushes(_:with:)`` apply to it as to a
    /// branch push, as a server's hook judges every ref.
    func pushReference(_ name: RemoteReferenceName, to commit: ObjectID, expecting expected: ObjectID?) -> PushOutcome {
        state.withLock { state in
            if let failure = state.takeFailure(conflict: "\(name) moved (injected by the test)") { return failure }
            guard state.reference(name.rawValue) == expected else {
                return .conflict(message: "\(name) is not at \(expected?.hex ?? "nothing")")
            }
            state.setReference(name.rawValue, commit)
            return .pushed(commit)
        }
    }

    /// The compare-and-swap of ``Transport/deleteReference(_:expecting:)``.
    func deleteReference(_ name: RemoteReferenceName, expecting expected: ObjectID) -> PushOutcome {
        state.withLock { state in
            if let failure = state.takeFailure(conflict: "\(name) moved (injected by the test)") { return failure }
            guard state.reference(name.rawValue) == expected else {
                return .conflict(message: "\(name) is not at \(expected.hex)")
            }
            state.setReference(name.rawValue, nil)
            return .pushed(expected)
        }
    }

    /// Every ref (branches as `refs/heads/<name>`) under one of `prefixes`.
    func references(under prefixes: [String]) -> [String: ObjectID] {
        state.withLock { state in
            var all = state.references
            for (branch, id) in state.branches { all["refs/heads/" + branch] = id }
            return all.filter { name, _ in prefixes.contains { name.hasPrefix($0) } }
        }
    }
}

extension InMemoryRemote.State {
    /// A ref by full name: a branch (`refs/heads/…`, such as an exchange
    /// branch) or a ref beside the branches.
    func reference(_ name: String) -> ObjectID? {
        name.hasPrefix("refs/heads/") ? branches[String(name.dropFirst("refs/heads/".count))] : references[name]
    }

    mutating func setReference(_ name: String, _ id: ObjectID?) {
        if name.hasPrefix("refs/heads/") {
            branches[String(name.dropFirst("refs/heads/".count))] = id
        } else {
            references[name] = id
        }
    }
}
