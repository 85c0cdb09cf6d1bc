public import Giter
import Synchronization

extension InMemoryRemote {
    /// What the remote ref `name` (such as a lease) points at; `nil` when
    /// there is no such ref.
    public func reference(_ name: RemoteReferenceName) -> ObjectID? {
        state.withLock { $0.references[name.rawValue] }
    }

    /// Points the remote ref `name` at `commit` (`nil` deletes it),
    /// whatever it held: how a test plays another writer of a lease.
    public func resetReference(_ name: RemoteReferenceName, to commit: ObjectID?) {
        state.withLock { $0.references[name.rawValue] = commit }
    }

    /// The compare-and-swap of ``Transport/pushReference(_:to:expecting:)``.
    /// The failures of ``failNextPushes(_:with:)`` apply to it as to a
    /// branch push, as a server's hook judges every ref.
    func pushReference(_ name: RemoteReferenceName, to commit: ObjectID, expecting expected: ObjectID?) -> PushOutcome {
        state.withLock { state in
            if let failure = state.takeFailure(conflict: "\(name) moved (injected by the test)") { return failure }
            guard state.references[name.rawValue] == expected else {
                return .conflict(message: "\(name) is not at \(expected?.hex ?? "nothing")")
            }
            state.references[name.rawValue] = commit
            return .pushed(commit)
        }
    }
}
