/// How a push ended when the server answered.
///
/// A lost race, a held lock and a rejection by the server are expected
/// outcomes, not errors: the caller fetches, re-applies its change and
/// tries again, waits a little for the lock, or reports the server's
/// reason. Network and authentication failures are thrown as
/// ``TransportError``s instead.
public enum PushOutcome: Sendable, Hashable {
    /// The remote branch now points at the pushed commit.
    case pushed(ObjectID)
    /// The remote branch was not at the expected commit: another writer got
    /// there first. `message` is what the server or Git said.
    case conflict(message: String)
    /// The remote branch's lock file (`refs/heads/<branch>.lock`) was held
    /// by another writer, here or on the server (receive-pack's "cannot
    /// lock ref"): nothing was written. Unlike a lost race this does not
    /// pass by fetching; a lock that stays held is a writer that hangs or
    /// one that was killed. `message` names the lock file and, for a
    /// repository on this machine, the `giter unlock` command that removes it.
    case locked(message: String)
    /// The server refused the update (a hook, a branch protection, a
    /// policy); `message` carries its reason, `remote:` lines included.
    case rejected(message: String)
}
