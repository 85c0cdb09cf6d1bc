internal import CLibGit2
import Giter
import GiterLocalGit

extension Repository {
    /// The most commits a direct fetch copies; a longer history goes through upload-pack.
    static let directFetchLimit = 128

    /// Fetches the configured branch from the bare repository at `local`
    /// on this machine without `git-upload-pack`, when its new commits are
    /// a short linear history on top of the tracking ref.
    ///
    /// The remote is opened once and kept in `targets`, as for
    /// ``pushDirectly(_:expecting:to:_:targets:)``.
    ///
    /// 1. The remote branch is read. Missing → nil, as a fetch returns;
    ///    equal to the tracking ref → done.
    /// 2. Its tip already in the mirror (pushed from here) → the tracking
    ///    ref is moved, nothing copied.
    /// 3. Otherwise the commits from the tip back to the tracking ref are
    ///    followed along single parents (at most ``directFetchLimit``);
    ///    each new commit and the trees and blobs that differ from its
    ///    parent's are copied into the mirror's object database, each
    ///    object after those it points to, without fsync (the mirror is a
    ///    cache: what is lost can be fetched again): loose objects, or one
    ///    pack when there are at least 100 (Git's `receive.unpackLimit`
    ///    default) and the mirror has fewer than 50 packs (``ObjectCopyRoute``).
    /// 4. Once every object is written, the tracking ref is set to the tip.
    ///
    /// Returns nil, having moved no ref, when the fetch must go through
    /// upload-pack instead: the remote cannot be opened as a bare
    /// repository, the branch is a symbolic ref, objects are to be copied
    /// from a remote that says `core.bare = false`, is shallow or borrows
    /// objects (`objects/info/alternates`), the mirror has no tracking ref
    /// yet, the history since it is not a linear run of at most
    /// ``directFetchLimit`` commits (a force-push, a merge, unrelated
    /// history), or anything fails. Objects copied before a failure stay
    /// in the mirror, complete and unreferenced.
    func fetchDirectly(from local: LocalRepository, _ configuration: RemoteConfiguration, targets: DirectPushTargets)
        -> (tip: ObjectID?, route: FetchRoute)?
    {
        do throws(TransportError) {
            guard let target = try targets.target(at: local) else { return nil }
            return try fetchDirectly(from: target, configuration)
        } catch {
            // The fetch through upload-pack reports what is wrong, if
            // anything; the next direct fetch opens the remote afresh.
            targets.forget()
            return nil
        }
    }

    private func fetchDirectly(from target: DirectPushTarget, _ configuration: RemoteConfiguration)
        throws(TransportError) -> (tip: ObjectID?, route: FetchRoute)?
    {
        let remote = target.repository
        guard let branchTip = try remote.directTarget(configuration.localReference) else { return nil }
        guard let tip = branchTip else { return (nil, .upToDate) }
        let tracking = configuration.trackingReference
        let tracked = try referenceTarget(tracking)
        if let tracked, git_oid.same(tracked, tip) { return (ObjectID(tip), .upToDate) }
        if try contains(tip) {
            // Already here (pushed from this mirror): nothing to copy.
            try setReference(tracking, to: tip)
            return (ObjectID(tip), .direct)
        }
        // Copying objects: only from a plain bare repository.
        guard !target.settings.hasWorkingTree, git_repository_is_shallow(remote.pointer) == 0,
            !target.folder.borrowsObjects
        else { return nil }
        guard let tracked, try contains(tracked),
            let chain = try remote.linearChain(from: tip, to: tracked, limit: Self.directFetchLimit)
        else { return nil }

        let objects = try remote.objectsMissing(in: chain)
        var database: OpaquePointer?
        try LibGit2.check(git_repository_odb(&database, pointer), "open the mirror's object database")
        defer { git_odb_free(database) }
        guard let database else { throw TransportError(.backend, "libgit2 returned no object database for \(path)") }
        try copyObjects(
            objects, from: remote, into: database, unpackLimit: ReceivePolicy.defaultUnpackLimit, durably: false)
        try setReference(tracking, to: tip)
        return (ObjectID(tip), .direct)
    }
}
