/// Reading a repository's objects: what both a ``Transport`` (over its
/// mirror) and a server-side reader (a bare repository whose new objects
/// are still in quarantine, read by a `pre-receive` hook) can do.
///
/// Two readers besides the transports ship with the backends:
/// `LibGit2Repository` (`GiterLibGit2`) and `GitCLIRepository`
/// (`GiterGitCLI`). Each backend has one implementation of these reads,
/// shared by its transport and its repository reader.
///
/// Every method that reads a resource path refuses symbolic links,
/// gitlinks and unsafe names (see ``RepositoryPath``).
public protocol RepositoryReader: Sendable {
    /// The commit `reference` points at (a full ref name such as
    /// `refs/remotes/origin/main`, or an object id); `nil` when it does
    /// not exist.
    func resolve(_ reference: String) async throws -> ObjectID?

    /// The files of `commit`'s tree, or only those under the folder
    /// `prefix`, sorted by path. Throws ``TransportError/Code/unsafePath``
    /// if one of them is a symbolic link, a gitlink or has an unsafe name.
    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry]

    /// The contents of a blob.
    func blob(_ id: ObjectID) async throws -> [UInt8]

    /// The contents of several blobs, in the order of `ids`, read in as
    /// few calls into the backend as it can (one hop onto libgit2's queue,
    /// one round trip of `git cat-file --batch` per 64 blobs); the default
    /// reads them one by one with ``blob(_:)``. Throws as ``blob(_:)``
    /// does for the first id that cannot be read.
    func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]]

    /// The files that differ between two commits (all of `new`'s files
    /// when `old` is `nil`), optionally only under `prefix`, sorted by path.
    /// The cost grows with what changed: subtrees with equal ids are skipped.
    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange]

    /// The commits reachable from `new` and not from `old` (all of them
    /// when `old` is `nil`), newest first, at most `limit` of them — what
    /// `git log old..new` lists. Readers use it to check every commit that
    /// arrived with a fetch, and a server's hook every commit of a push.
    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo]

    /// The commit `id` as Git stores it: its bytes, its signature and what
    /// the signature signs (see ``CommitObject``). Verifiers read it for
    /// every commit they check.
    ///
    /// - Throws: `TransportError` with code `objectNotFound` when the
    ///   repository has no object `id`, `invalidArgument` when `id` is not
    ///   a commit, `backend` when the object is not a well-formed commit.
    func commitObject(_ id: ObjectID) async throws -> CommitObject

    /// Downloads, in one request to the remote, those of the blobs `ids`
    /// that the mirror lacks, and returns how many that was. Only a partial
    /// mirror (``RemoteConfiguration/fetchesBlobsOnDemand``) of a ``Transport`` lacks blobs
    /// of the commits it fetched; a reader calls this before reading many
    /// files, so that a partial mirror does not ask once per file. The
    /// default implementation returns 0: the mirror holds every blob.
    ///
    /// - Throws: `TransportError` when the remote cannot be reached or
    ///   does not have (or will not give) one of them.
    @discardableResult
    func fetchMissingBlobs(_ ids: [ObjectID]) async throws -> Int
}

extension RepositoryReader {
    @discardableResult
    public func fetchMissingBlobs(_ ids: [ObjectID]) async throws -> Int { 0 }

    public func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]] {
        var contents: [[UInt8]] = []
        contents.reserveCapacity(ids.count)
        for id in ids { contents.append(try await blob(id)) }
        return contents
    }
}
