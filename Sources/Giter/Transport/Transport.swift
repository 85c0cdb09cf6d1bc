/// The Git plumbing Giter needs, over a local bare mirror of one remote
/// branch: no working tree, no index, no checkout.
///
/// Everything reads from and writes to the mirror; only ``remoteTip()``,
/// ``fetch()``, ``push(_:expecting:)`` and, for refs beside the branch
/// such as leases, ``fetchReference(_:)`` and
/// ``pushReference(_:to:expecting:)`` talk to the remote. Two backends
/// conform: `GiterLibGit2` (libgit2) and `GiterGitCLI` (the `git`
/// executable). Both pass the same conformance suite.
///
/// The reads (``RepositoryReader/resolve(_:)``, ``RepositoryReader/treeEntries(at:under:)``,
/// ``RepositoryReader/blob(_:)``, ``RepositoryReader/changes(from:to:under:)``,
/// ``RepositoryReader/commits(from:excluding:limit:)``,
/// ``RepositoryReader/commitObject(_:)``) come from ``RepositoryReader``
/// and read the mirror.
///
/// Expected outcomes are values (``PushOutcome``, a `false` from
/// ``updateReference(_:to:expecting:)``); failures are thrown as
/// ``TransportError``s. Every method that reads a resource path refuses
/// symbolic links, gitlinks and unsafe names (see ``RepositoryPath``).
public protocol Transport: RepositoryReader {
    /// The remote, branch and mirror this transport works with.
    var configuration: RemoteConfiguration { get }

    /// The remote branch's commit, asked of the remote without downloading
    /// any object; `nil` when the branch does not exist yet.
    func remoteTip() async throws -> ObjectID?

    /// Downloads the remote branch into the mirror and returns its commit;
    /// `nil` when the branch does not exist yet.
    func fetch() async throws -> ObjectID?

    /// Writes a commit that applies `request.edits` to the parent's tree and
    /// returns its id. No ref moves. The edits are applied by the rules of
    /// ``TreeEditPlan``: a request that edits one path twice, or a path and
    /// a path below it, is refused as a whole with
    /// ``TransportError/Code/invalidArgument``.
    ///
    /// With a `signer`, the commit is signed as `git commit -S` signs it:
    /// the signer gets the commit object (see ``CommitObject/encode(tree:parents:author:committer:message:)``)
    /// and its signature goes into a `gpgsig` header
    /// (``CommitObject/signing(_:with:)``), so the object is byte for byte
    /// what git writes with the same key. Without one, the commit is
    /// unsigned, byte for byte what `git commit-tree` writes.
    ///
    /// - Throws: what `signer` throws, unchanged (no commit is written then,
    ///   though the commit's blobs and trees may be: no ref moves);
    ///   `SigningError` with code `invalidSignature` when it returns an
    ///   empty signature; otherwise `TransportError`.
    func createCommit(_ request: CommitRequest, signer: (any CommitSigner)?) async throws -> ObjectID

    /// Points `reference` at `new` if it currently points at `expected`
    /// (`nil`: does not exist). Returns `false`, changing nothing, when it
    /// does not.
    func updateReference(_ reference: String, to new: ObjectID, expecting expected: ObjectID?) async throws -> Bool

    /// Pushes `commit` to the remote branch if the branch is at `expected`
    /// there (`nil`: does not exist). A lost race or a refusal by the server
    /// is a ``PushOutcome``, not an error.
    func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome

    /// Downloads the remote ref `name` into the mirror (under the same name)
    /// and returns what it points at; `nil`, and the mirror's copy removed,
    /// when the remote has no such ref. Only the objects the mirror lacks
    /// are downloaded. The default implementation throws
    /// ``TransportError/Code/backend``: a transport made before this
    /// requirement existed cannot read such refs.
    func fetchReference(_ name: RemoteReferenceName) async throws -> ObjectID?

    /// Points the remote ref `name` at `commit` (a commit in the mirror) if
    /// it is at `expected` there (`nil`: does not exist): a compare-and-swap
    /// on the server, through its receive-pack and hooks. A lost race or a
    /// refusal is a ``PushOutcome``; on `.pushed` the mirror's copy of the
    /// ref points at `commit` too. The default implementation throws
    /// ``TransportError/Code/backend``.
    func pushReference(_ name: RemoteReferenceName, to commit: ObjectID, expecting expected: ObjectID?) async throws
        -> PushOutcome

    /// Deletes the remote ref `name` if it is at `expected` there: a
    /// compare-and-swap on the server, through its receive-pack and hooks.
    /// A lost race or a refusal is a ``PushOutcome``; on `.pushed(expected)`
    /// the mirror's copy of the ref is gone too. The default implementation
    /// throws ``TransportError/Code/backend``.
    func deleteReference(_ name: RemoteReferenceName, expecting expected: ObjectID) async throws -> PushOutcome

    /// The remote's refs whose full names start with one of `prefixes`
    /// (each starting with `refs/`), and their commits: one listing of the
    /// remote's refs (what `git ls-remote` shows), no object downloaded, no
    /// ref of the mirror moved. ``ExchangeBranches`` discovers every
    /// exchange branch with one such call. More than
    /// ``RemoteReferenceName/listingLimit`` refs throw
    /// ``TransportError/Code/backend``. The default implementation
    /// throws ``TransportError/Code/backend``.
    func listReferences(under prefixes: [String]) async throws -> [String: ObjectID]

    /// The commits reachable from `commit` that changed `path`, newest
    /// first, at most `limit` of them.
    func history(of path: String, from commit: ObjectID, limit: Int?) async throws -> [CommitInfo]

    /// The value last stored under `name` with ``storeLocalValue(_:named:)``;
    /// `nil` when there is none. See ``LocalValueName``.
    func localValue(named name: LocalValueName) async throws -> [UInt8]?

    /// Keeps `value` in the mirror under `name` (`nil` removes it), for the
    /// processes that use this mirror: never pushed, never fetched, never
    /// part of a commit. See ``LocalValueName``.
    func storeLocalValue(_ value: [UInt8]?, named name: LocalValueName) async throws

    /// The remote's repository when it is a folder on this machine, for a
    /// ``RefWatcher``; `nil` for a network remote (the default). Both
    /// backends give it for a remote named by an absolute path or a
    /// `file://` URL.
    var localRemote: LocalRemote? { get }
    /// The objects reachable from `tip` and not from `base` (all of those
    /// reachable from `tip` when `base` is `nil`), read from the mirror
    /// and written as one pack in Git's format (`gitformat-pack(5)`,
    /// version 2) that needs no other object: no delta refers to an object
    /// outside it. ``ExchangeBundle`` carries such a pack in a bundle file.
    /// No ref moves. The default implementation throws
    /// ``TransportError/Code/backend``.
    ///
    /// - Throws: `TransportError` with code `objectNotFound` when the mirror
    ///   lacks `tip`, `base` or an object between them.
    func packObjects(reachableFrom tip: ObjectID, excluding base: ObjectID?) async throws -> [UInt8]
    /// Stores the objects of `pack` (a pack in Git's format, which may refer
    /// to objects the mirror already has as delta bases) in the mirror's
    /// object database, after the backend has checked every object's hash
    /// and the pack's trailing checksum. No ref moves: the objects are
    /// unreachable until a caller points a ref at them, so a pack that is
    /// never used costs only disk space until Git's garbage collection. The
    /// default implementation throws ``TransportError/Code/backend``.
    ///
    /// - Throws: `TransportError` with code `invalidArgument` when `pack`
    ///   is truncated, corrupted or refers to an object the mirror lacks;
    ///   nothing is stored then.
    func storePack(_ pack: [UInt8]) async throws
    /// Hands back the memory the backend keeps to make its next reads of
    /// the mirror cheaper, after a read of many files that will not soon
    /// be read again: libgit2's pack windows and caches of delta bases,
    /// parsed objects, configuration and refs as read (the mirror is
    /// opened again); the git CLI's long-lived `git cat-file --batch`
    /// process, which holds the same in its own memory. The transport works
    /// on; its next reads cost what a first read does. A
    /// ``GitResourceStore`` calls it after reading at least
    /// ``GitResourceStore/largeRead`` files from the transport at once (the
    /// first sync of a consumer of many resources). The default
    /// implementation does nothing: a backend that keeps nothing between
    /// calls has nothing to give back. A transport that wraps another
    /// should forward it.
    func releaseCaches() async throws
}

extension Transport {
    /// Writes an unsigned commit: ``createCommit(_:signer:)`` without a signer.
    public func createCommit(_ request: CommitRequest) async throws -> ObjectID {
        try await createCommit(request, signer: nil)
    }

    public func fetchReference(_ name: RemoteReferenceName) async throws -> ObjectID? {
        throw TransportError(.backend, "this transport cannot read the remote ref \(name); use a backend that can")
    }

    public func pushReference(_ name: RemoteReferenceName, to commit: ObjectID, expecting expected: ObjectID?)
        async throws -> PushOutcome
    {
        throw TransportError(.backend, "this transport cannot move the remote ref \(name); use a backend that can")
    }

    public func deleteReference(_ name: RemoteReferenceName, expecting expected: ObjectID) async throws -> PushOutcome {
        throw TransportError(.backend, "this transport cannot delete the remote ref \(name); use a backend that can")
    }

    public func listReferences(under prefixes: [String]) async throws -> [String: ObjectID] {
        throw TransportError(.backend, "this transport cannot list the remote's refs; use a backend that can")
    }

    /// `nil`: the remote is not known to be on this machine, so nothing
    /// watches it and the callers poll.
    public var localRemote: LocalRemote? { nil }

    public func packObjects(reachableFrom tip: ObjectID, excluding base: ObjectID?) async throws -> [UInt8] {
        throw TransportError(.backend, "this transport cannot write a pack; use a backend that can")
    }

    public func storePack(_ pack: [UInt8]) async throws {
        throw TransportError(.backend, "this transport cannot store a pack; use a backend that can")
    }

    public func releaseCaches() async throws {}
}
