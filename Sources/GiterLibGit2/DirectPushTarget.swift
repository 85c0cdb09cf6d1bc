internal import CLibGit2
import Giter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bare repository on this machine that pushes are written into
/// directly (``Repository/pushDirectly(_:expecting:to:_:targets:)``), kept
/// open from one push to the next.
///
/// Holds the opened repository, its object database with a loose-object
/// backend that fsyncs every file and its folder, and the configuration
/// settings ``ReceivePolicy`` reads. It stays in use only while the
/// repository's folder and `objects` folder are the same folders and its
/// `config` file is unchanged (same inode, size, modification and change
/// times), checked before every push; hooks and loose objects are looked
/// at on every push anyway. A configuration that includes other files, or
/// one changed too recently for its times to tell a later change apart
/// (the "racy" window of Git's index), is never kept.
final class DirectPushTarget {
    let path: String
    let repository: Repository
    let settings: ReceivePolicy.Settings
    /// The repository's object database, with the fsyncing backend ahead of the default ones.
    let objects: OpaquePointer
    /// Whether the target may serve later pushes (see ``isCurrent``).
    let isReusable: Bool
    private let stamp: [FileStamp?]

    private init(
        path: String, repository: Repository, settings: ReceivePolicy.Settings, objects: OpaquePointer,
        stamp: [FileStamp?], isReusable: Bool
    ) {
        self.path = path
        self.repository = repository
        self.settings = settings
        self.objects = objects
        self.stamp = stamp
        self.isReusable = isReusable
    }

    deinit {
        git_odb_free(objects)
    }

    /// Opens the bare repository at `path`; nil when libgit2 cannot open
    /// one there (the push then goes through receive-pack, which explains).
    static func open(at path: String) throws(TransportError) -> DirectPushTarget? {
        let before = stamp(of: path)
        // Files whose times are this close to now may still change without
        // their stamp showing it (timestamps are coarse).
        let racyAfter = FileStamp.now() - 2_000_000_000
        guard let repository = Repository.openExistingBare(at: path) else { return nil }
        let settings = try ReceivePolicy.Settings(remote: repository)

        var objects: OpaquePointer?
        try LibGit2.check(git_repository_odb(&objects, repository.pointer), "open the remote's object database")
        guard let objects else { throw TransportError(.backend, "libgit2 returned no object database for \(path)") }
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

        let after = stamp(of: path)
        let configuration = after.count > 1 ? after[1] : nil
        let isReusable = before == after && !settings.includesFiles
            && configuration.map { $0.modified < racyAfter } ?? true
        return DirectPushTarget(
            path: path, repository: repository, settings: settings, objects: objects, stamp: after,
            isReusable: isReusable)
    }

    /// Whether the repository at ``path`` is still the one opened, with the same configuration.
    var isCurrent: Bool {
        isReusable && Self.stamp(of: path) == stamp
    }

    /// The receive policy with the kept settings and the hooks and loose objects as they are now.
    var policy: ReceivePolicy {
        ReceivePolicy(gitDirectory: repository.gitDirectory, settings: settings)
    }

    /// The identity of the repository folder and its `objects` folder, and
    /// the full stamp of its `config` file (nil where a file is missing).
    private static func stamp(of path: String) -> [FileStamp?] {
        let folder = path.hasSuffix("/") ? path : path + "/"
        return [
            FileStamp(folder).map(\.identity), FileStamp(folder + "config"), FileStamp(folder + "objects").map(\.identity),
        ]
    }
}

/// What `stat` says about a file, enough to see that it was replaced or changed.
struct FileStamp: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var mode: UInt32
    /// Modification and status-change times, in nanoseconds since 1970.
    var modified: Int64
    var changed: Int64

    init?(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        mode = UInt32(status.st_mode)
        #if canImport(Darwin)
        modified = Int64(status.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(status.st_mtimespec.tv_nsec)
        changed = Int64(status.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(status.st_ctimespec.tv_nsec)
        #else
        modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
        #endif
    }

    /// Only which file this is (for folders, whose times change with every file made in them).
    var identity: FileStamp {
        var result = self
        result.size = 0
        result.mode = 0
        result.modified = 0
        result.changed = 0
        return result
    }

    /// The wall clock, in nanoseconds since 1970 (the clock file times use).
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
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

    /// The target for the repository at `path`: the kept one while it is
    /// current, else a newly opened one (kept when it may be).
    func target(at path: String) throws(TransportError) -> DirectPushTarget? {
        if let kept, kept.path == path, kept.isCurrent { return kept }
        kept = nil
        guard let target = try DirectPushTarget.open(at: path) else { return nil }
        opened += 1
        if target.isReusable { kept = target }
        return target
    }

    /// The kept target for the repository at `path` while it is current; nil otherwise (nothing is opened).
    func keptTarget(at path: String) -> DirectPushTarget? {
        guard let kept, kept.path == path, kept.isCurrent else { return nil }
        return kept
    }

    /// Drops the kept target (after an error, so that the next push starts afresh).
    func forget() {
        kept = nil
    }
}
