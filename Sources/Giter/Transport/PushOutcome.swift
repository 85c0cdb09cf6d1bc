/// How a push ended when the server answered.
///
/// A lost race and a rejection by the server are expected outcomes, not
/// errors: the caller fetches, re-applies its change and tries again, or
/// reports the server's reason. Network and authentication failures are
/// thrown as ``TransportError``s instead.
public enum PushOutcome: Sendable, Hashable {
    /// The remote branch now points at the pushed commit.
    case pushed(ObjectID)
    /// The remote branch was not at the expected commit: another writer got
    /// there first. `message` is what the server or Git said.
    case conflict(message: String)
    /// The server refused the update (a hook, a branch protection, a
    /// policy); `message` carries its reason, `remote:` lines included.
    case rejected(message: String)
}
