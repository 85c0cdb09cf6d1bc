public import Giter
import GiterLocalGit

/// A `Transport` over libgit2.
///
/// Keeps a bare mirror of the remote at `RemoteConfiguration.mirrorPath`
/// (no working tree, no index) with one remote, `origin`, whose
/// configuration never holds credentials. Every libgit2 call runs on a
/// serial dispatch queue owned by the transport, never on Swift's
/// cooperative thread pool, and all handles for the mirror are used from
/// that queue only.
///
/// Remotes on this machine (a path or `file://`) are fetched from as `git`
/// does, through a spawned `git-upload-pack` — except when the remote is a
/// bare repository whose branch moved by a short linear history since the
/// last fetch: then the new objects are copied from its object database
/// in process and the tracking ref is moved. A push to such a remote goes
/// through a spawned `git-receive-pack` (found on `PATH`), so its hooks and
/// `receive.*` checks apply — except when the remote is a bare repository
/// with no such hook and no setting receive-pack would act on: then the
/// objects are written into its object database and the branch is moved
/// with a compare-and-swap under the same lock file receive-pack takes
/// (see `Documentation/Backends.md`). libgit2 reads no system, XDG or
/// global git configuration (no `url.<base>.insteadOf` from the machine).
///
/// Creating a transport makes the process ignore `SIGPIPE` if it had the
/// default disposition (as `GitCLITransport` does): libgit2 writes to its
/// sockets without `MSG_NOSIGNAL`, so a connection cut in the middle of a
/// push would otherwise end the process instead of failing the push.
///
/// ```swift
/// let transport = try await LibGit2Transport(
///     configuration: RemoteConfiguration(url: "ssh://git@example.com/exchange.git", mirrorPath: "/var/lib/giter/mirror")
/// )
/// let tip = try await transport.fetch()
/// ```
public final class LibGit2Transport: Transport {
    public let configuration: RemoteConfiguration

    /// The remote's repository when the URL names a folder on this machine
    /// by an absolute path (`LocalRepositoryURL`'s rule); `nil` otherwise.
    public var localRemote: LocalRemote? {
        LocalRepositoryURL.localRemote(url: configuration.url, branch: configuration.branch)
    }
    let queue: MirrorQueue
    /// How many pushes took each route (for tests and diagnostics).
    let pushRoutes = RouteCounter<PushRoute>()
    /// How many fetches took each route (for tests and diagnostics).
    let fetchRoutes = RouteCounter<FetchRoute>()
    /// The remote pushes are written into and fetches copied from directly,
    /// kept open across pushes and fetches.
    let directPushTargets = DirectPushTargets()

    /// This transport's claim on its mirror (see ``MirrorClaim``), held while it lives.
    let mirrorClaim: MirrorClaim

    /// Opens the mirror at `configuration.mirrorPath`, creating a bare
    /// repository there when there is none, and points its remote `origin`
    /// at `configuration.url`. Nothing is fetched.
    ///
    /// - Throws: `TransportError` with code `invalidArgument` for a bad
    ///   branch name or a `file://` URL naming another host,
    ///   `backend` when the mirror cannot be created or opened.
    /// Sets the most memory libgit2's object cache may count, in bytes, for
    /// every repository of the process (libgit2 keeps one cache per
    /// process). Giter sets 4 MiB when it first initialises libgit2
    /// (libgit2's own default is 256 MiB); the cache counts raw object
    /// sizes, and parsed trees take two to four times that. A larger cache
    /// helps little: a diff reads each tree at most twice.
    ///
    /// - Throws: `TransportError` with code `backend` when libgit2 cannot
    ///   be initialised or refuses the value.
    public static func setObjectCacheLimit(bytes: Int) throws {
        try LibGit2.setObjectCacheLimit(bytes: bytes)
    }

    /// Gives libgit2 back its own plain socket stream, for every connection
    /// this process opens from now on, in place of the one Giter registers
    /// when it first initialises libgit2 (the same, without the 40 ms
    /// stalls of Nagle's algorithm and delayed acknowledgements; see
    /// `Documentation/Backends.md`). For a host app that registers its own
    /// `GIT_STREAM_STANDARD` stream: call this first, then register yours,
    /// or Giter's first use of libgit2 may replace it.
    ///
    /// - Throws: `TransportError` with code `backend` when libgit2 cannot
    ///   be initialised or refuses the change.
    public static func useLibGit2SocketStream() throws {
        try LibGit2.useLibGit2SocketStream()
    }

    /// How many bytes libgit2's object cache counts now (`used`) and may
    /// count (`limit`), for the whole process.
    public static func objectCacheUsage() throws -> (used: Int, limit: Int) {
        try LibGit2.objectCacheUsage()
    }

    /// Makes libgit2 trust the certificate authorities of the PEM `file`
    /// for every `https://` remote of this process, instead of the system's
    /// (libgit2's mbedTLS build keeps one list per process, and replaces
    /// it). Call it once, before any HTTPS connection; a transport whose
    /// `Credentials.certificateAuthorityFile` is set calls it when it is
    /// created. Setting the same file again does nothing.
    ///
    /// - Throws: `TransportError` with code `invalidArgument` when another
    ///   file was set before, or the file cannot be read or parsed.
    public static func trustCertificateAuthorities(file: String) throws {
        try LibGit2.trustCertificateAuthorities(file: file)
    }

    public init(configuration: RemoteConfiguration) async throws {
        try LocalRepositoryURL.check(configuration.url)
        if let file = configuration.credentials.certificateAuthorityFile {
            try LibGit2.trustCertificateAuthorities(file: file)
        }
        self.configuration = configuration
        // Ref lock files a killed process left in the mirror would block every later update of those refs.
        mirrorClaim = MirrorClaim(mirror: configuration.mirrorPath)
        mirrorClaim.removeLeftLocks()
        queue = MirrorQueue(label: "giter.libgit2 \(configuration.mirrorPath)")
        try await queue.open(configuration)
    }

    public func remoteTip() async throws -> ObjectID? {
        let configuration = configuration
        let targets = directPushTargets
        return try await queue.run { (repository) throws(TransportError) in
            // A repository on this machine: read its ref directly, as cheap
            // as a poll can be (no process, no protocol), through the remote
            // kept open by direct pushes and fetches when there is one.
            if let local = LocalRepositoryURL(configuration.url)?.directRepository {
                if let kept = targets.keptTarget(at: local),
                    case .success(let tip) = Result(catching: { () throws(TransportError) in
                        try kept.repository.referenceTarget(configuration.localReference)
                    })
                {
                    return tip.map(ObjectID.init)
                }
                if let target = Repository.referenceTarget(inRepositoryAt: local.folder, configuration.localReference) {
                    return target.map(ObjectID.init)
                }
            }
            let session = try RemoteSession(repository: repository, configuration: configuration)
            return try session.connect(forPush: false)[configuration.localReference].map(ObjectID.init)
        }
    }

    public func fetch() async throws -> ObjectID? {
        let configuration = configuration
        let routes = fetchRoutes
        let targets = directPushTargets
        return try await queue.run { (repository) throws(TransportError) in
            // A bare repository on this machine: read its ref and copy the
            // few objects the mirror lacks in process (no git-upload-pack).
            if let local = LocalRepositoryURL(configuration.url)?.directRepository,
                let (tip, route) = repository.fetchDirectly(from: local, configuration, targets: targets)
            {
                routes.record(route)
                return tip
            }
            routes.record(.uploadPack)
            return try repository.fetch(configuration)
        }
    }

    public func resolve(_ reference: String) async throws -> ObjectID? {
        try await queue.run { (repository) throws(TransportError) in
            try repository.resolve(reference)
        }
    }

    public func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.treeEntries(at: commit, under: prefix)
        }
    }

    public func blob(_ id: ObjectID) async throws -> [UInt8] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.blobContents(id)
        }
    }

    public func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.blobContents(ids)
        }
    }

    public func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.changes(from: old, to: new, under: prefix)
        }
    }

    public func commitObject(_ id: ObjectID) async throws -> CommitObject {
        try await queue.run { (repository) throws(TransportError) in
            try repository.commitObject(id)
        }
    }

    /// Writes the commit, as ``Transport/createCommit(_:signer:)`` says.
    ///
    /// Signed, in three steps: the commit object is made on the mirror's
    /// queue (`git_commit_create_buffer`, after writing its blobs and
    /// trees), signed off the queue (the signer may wait for `ssh-agent` or
    /// `gpg`), and written with its `gpgsig` header
    /// (``CommitObject/signing(_:with:)``) through the object database.
    public func createCommit(_ request: CommitRequest, signer: (any CommitSigner)?) async throws -> ObjectID {
        guard let signer else {
            return try await queue.run { (repository) throws(TransportError) in
                try repository.createCommit(request)
            }
        }
        let payload = try await queue.run { (repository) throws(TransportError) in
            try repository.unsignedCommitObject(request)
        }
        let signed = try await CommitObject.signed(payload, by: signer)
        return try await queue.run { (repository) throws(TransportError) in
            try repository.writeCommitObject(signed)
        }
    }

    public func updateReference(_ reference: String, to new: ObjectID, expecting expected: ObjectID?) async throws
        -> Bool
    {
        try await queue.run { (repository) throws(TransportError) in
            try repository.updateReference(reference, to: new, expecting: expected)
        }
    }

    public func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome {
        let configuration = configuration
        let routes = pushRoutes
        let targets = directPushTargets
        return try await queue.run { (repository) throws(TransportError) in
            let (outcome, route) = try repository.push(commit, expecting: expected, configuration, targets: targets)
            routes.record(route)
            return outcome
        }
    }

    /// Closes the remote's repository kept open for direct pushes and
    /// fetches (opened again at the next one) and opens the mirror again
    /// (``MirrorQueue/reopenMirror()``), which frees what libgit2 kept of it.
    public func releaseCaches() async throws {
        let targets = directPushTargets
        try await queue.run { _ throws(TransportError) in targets.forget() }
        try await queue.reopenMirror()
    }

    public func history(of path: String, from commit: ObjectID, limit: Int?) async throws -> [CommitInfo] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.history(of: path, from: commit, limit: limit)
        }
    }
    /// libgit2's pack builder over a walk from `tip` that hides `base`.
    public func packObjects(reachableFrom tip: ObjectID, excluding base: ObjectID?) async throws -> [UInt8] {
        try await queue.run { (repository) throws(TransportError) in
            try repository.packObjects(reachableFrom: tip, excluding: base)
        }
    }

    /// libgit2's indexer, which checks every object, into the mirror's
    /// `objects/pack` (not fsynced: the mirror is a cache).
    public func storePack(_ pack: [UInt8]) async throws {
        try await queue.run { (repository) throws(TransportError) in
            try repository.storePack(pack, durably: false)
        }
    }
}
