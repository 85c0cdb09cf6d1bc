/// How a fetch brought the mirror up to date.
package enum FetchRoute: Hashable, Sendable {
    /// Nothing to do: the tracking ref already held the remote's tip, or
    /// the remote has no such branch. Read in process, nothing downloaded.
    case upToDate
    /// In process: the objects the mirror lacked were copied from a
    /// repository on this machine, then the tracking ref was moved.
    case direct
    /// Through upload-pack: spawned for a repository on this machine, or a server's.
    case uploadPack
}
