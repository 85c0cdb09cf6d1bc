/// A remote that is a repository on this machine: the folder Git keeps it
/// in and the ref of the exchanged branch, which a ``RefWatcher`` watches.
///
/// A transport says its remote is one through ``Transport/localRemote``;
/// both backends do for a remote URL that names a folder on this machine
/// by an absolute path (`/srv/x.git`, `file:///srv/x.git`), and a
/// ``Controller`` and a ``Producer``'s waits then watch it by default.
/// Nothing read through it is trusted: a change it notices only makes the
/// caller ask the remote (``Transport/remoteTip()``, a fetch).
public struct LocalRemote: Sendable, Hashable {
    /// The repository's Git folder: the bare repository, or the `.git`
    /// folder of one with a working tree. Absolute.
    public var gitFolder: String
    /// The full name of the branch's ref, `refs/heads/<branch>`; or a folder of
    /// refs ending in `/` (`refs/heads/giter/x/`), any of which may move.
    public var reference: String

    /// A remote in `gitFolder` exchanging on the ref `reference` (a full name, `refs/heads/…`).
    public init(gitFolder: String, reference: String) {
        self.gitFolder = gitFolder
        self.reference = reference
    }
}
