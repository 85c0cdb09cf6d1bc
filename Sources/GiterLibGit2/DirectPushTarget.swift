internal import CLibGit2
import Giter
import GiterLocalGit

/// A bare repository on this machine that pushes are written into
/// directly (``Repository/pushDirectly(_:expecting:to:_:targets:)``), kept
/// open from one push to the next.
///
/// Holds the opened repository, its object database with a loose-object
/// backend that fsyncs every file and its folder, and the configuration
/// settings ``ReceivePolicy`` reads. It is kept only as
/// ``RepositoryStamp`` allows (the folders and the `config` file unchanged,
/// the file out of the racy window, no included files), checked before
/// every push; hooks and loose objects are looked at on every push anyway.
final class DirectPushTarget {
    let repository: Repository
    /// The repository as the remote's URL names it.
    let local: LocalRepository
    let settings: ReceiveSettings
    /// The repository's object database, with the fsyncing backend ahead of the default ones.
    let objects: OpaquePointer
    /// The stamp while the target may serve later pushes; nil when it may not.
    private let stamp: RepositoryStamp?

    private init(
        repository: Repository, local: LocalRepository, settings: ReceiveSettings, objects: OpaquePointer,
        stamp: RepositoryStamp?
    ) {
        self.repository = repository
        self.local = local
        self.settings = settings
        self.objects = objects
        self.stamp = stamp
    }

    deinit {
        git_odb_free(objects)
    }

    /// Opens the bare repository `local`; nil when libgit2 cannot open one
    /// there (the push then goes through receive-pack, which explains).
    static func open(_ local: LocalRepository) throws(TransportError) -> DirectPushTarget? {
        let readStart = Platform.wallClock()
        let before = RepositoryStamp(local)
        guard let repository = Repository.openExistingBare(at: local.folder) else { return nil }
        let settings = try repository.receiveSettings()

        var objects: OpaquePointer?
        try LibGit2.check(git_repository_odb(&objects, repository.pointer), "open the remote's object database")
        guard let objects else {
            throw TransportError(.backend, "libgit2 returned no object database for \(local.folder)")
        }
        var durable: OpaquePointer?
        do throws(TransportError) {
            try LibGit2.check(
                git_odb_backend_loose(&durable, repository.gitDirectory + "objects", -1, 1, 0, 0),
                "open the remote's object folder")
            // Ahead of the default backends (loose 1, packs 2): writes go here.
            // The database owns the backend from now on.
            try LibGit2.check(git_odb_add_backend(objects, durable, 1_000), "open the remote's object folder")
        } catch {
            git_odb_free(objects)
            throw error
        }

        let after = RepositoryStamp(local)
        let keep = settings.mayBeKept && RepositoryStamp.mayKeep(readBetween: before, and: after, readStart: readStart)
        return DirectPushTarget(
            repository: repository, local: local, settings: settings, objects: objects, stamp: keep ? after : nil)
    }

    /// Whether the target may serve later pushes (see ``isCurrent``).
    var isReusable: Bool { stamp != nil }

    /// Whether the repository is still the one opened, with the same configuration.
    var isCurrent: Bool {
        stamp?.isCurrent ?? false
    }

    /// The receive policy with the kept settings and the hooks and loose objects as they are now.
    var policy: ReceivePolicy {
        ReceivePolicy(repository: folder, settings: settings)
    }

    /// The repository's own folder as libgit2 opened it (its `GIT_DIR`).
    var folder: LocalRepository {
        LocalRepository(folder: repository.gitDirectory)
    }
}

/// The direct-push target of one transport, kept across pushes (and the
/// direct fetches of ``Repository/fetchDirectly(from:_:targets:)``).
///
/// `@unchecked Sendable`: used only from blocks on the transport's
/// ``MirrorQueue``, a serial queue, never concurrently.
final class DirectPushTargets: @unchecked Sendable {
    private var kept: DirectPushTarget?
    /// How many times a target was opened (for tests: a kept target is not reopened).
    private(set) var opened = 0

    /// The target for `local`: the kept one while it is current, else a
    /// newly opened one (kept when it may be).
    func target(at local: LocalRepository) throws(TransportError) -> DirectPushTarget? {
        if let kept = keptTarget(at: local) { return kept }
        kept = nil
        guard let target = try DirectPushTarget.open(local) else { return nil }
        opened += 1
        if target.isReusable { kept = target }
        return target
    }

    /// The kept target for `local` while it is current; nil otherwise (nothing is opened).
    func keptTarget(at local: LocalRepository) -> DirectPushTarget? {
        guard let kept, kept.local == local, kept.isCurrent else { return nil }
        return kept
    }

    /// Drops the kept target (after an error, so that the next push starts
    /// afresh; or to give back its memory).
    func forget() {
        kept = nil
    }
}
