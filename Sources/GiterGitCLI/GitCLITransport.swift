import Foundation
public import Giter
import GiterLocalGit

/// A `Transport` that drives the `git` executable against a local bare
/// mirror of the remote.
///
/// Every process gets an explicit environment (only `PATH` and `HOME` are
/// inherited): no system or global git configuration, no terminal prompts,
/// the C locale, `core.quotePath=false`, and `GIT_DIR` set to the mirror.
/// Objects are read through one long-lived `git cat-file --batch` process
/// and written through long-lived `git hash-object --stdin-paths` and
/// `git mktree --batch` processes; diffs are computed from trees read
/// there; listings take one process each; never an index or a working
/// tree. A `git fetch` or `git push` to a `git://` server runs over a
/// connection Giter makes and relays, with socket options `git` does not
/// set (``GitDaemonAddress``). A push to a bare repository on this machine without hooks or
/// receive policy copies the new objects and moves the branch with
/// `git update-ref` (compare-and-swap); any other push is
/// `git push --force-with-lease`. For a repository on this machine the
/// branch is read from its files and a fetch copies new commits in through
/// the long-lived processes, without `git fetch`, when it can (see
/// `Documentation/Backends.md`).
///
/// Creating a transport makes the process ignore `SIGPIPE` if it had the
/// default disposition, so a git process that exits early cannot kill it.
public final class GitCLITransport: Transport {
    public let configuration: RemoteConfiguration

    /// The remote's repository when the URL names a folder on this machine
    /// by an absolute path (`LocalRepositoryURL`'s rule); `nil` otherwise.
    public var localRemote: LocalRemote? {
        LocalRepositoryURL.localRemote(url: configuration.url, branch: configuration.branch)
    }
    let runner: GitRunner
    let objects: CatFileBatch
    /// The reads, shared with ``GitCLIRepository``.
    let reads: GitObjectReader
    /// `git hash-object -w --no-filters --stdin-paths`: writes blobs.
    let blobWriter: GitCoprocess
    /// `git mktree -z --batch`: writes trees.
    let treeWriter: GitCoprocess
    /// `git hash-object -w -t commit --stdin-paths`: writes commits.
    let commitWriter: GitCoprocess
    /// `git hash-object -w -t tree --stdin-paths`: writes trees a direct fetch copies, byte for byte.
    let fetchedTreeWriter: GitCoprocess
    /// The remote's objects, read by direct fetches.
    let remoteObjects = RemoteObjectReader()
    /// `git update-ref --stdin` in the mirror: moves the tracking ref after a direct push or fetch.
    let mirrorReferences: GitCoprocess
    /// What recent commits wrote, for direct pushes.
    let recentCommits = RecentCommits()
    /// How many pushes took each route (for tests and diagnostics).
    let pushRoutes = RouteCounter<PushRoute>()
    /// How many fetches took each route (for tests and diagnostics).
    let fetchRoutes = RouteCounter<FetchRoute>()
    /// How many blobs a partial mirror downloaded on demand (``fetchMissingBlobs(_:)``).
    let blobsFetchedOnDemand = LaunchCounter()
    /// The last receive settings read from a remote on this machine.
    let remoteSettings = ReceiveSettingsCache()
    /// The server of a `git://` remote, which network commands reach
    /// through a ``SocketRelay`` (see ``GitDaemonAddress``); nil for every
    /// other remote, and for a partial mirror (whose fetches need the
    /// remote's name for its promisor settings).
    let daemonAddress: GitDaemonAddress?
    /// How many network commands went through the relay (for tests and diagnostics).
    let daemonRelays = LaunchCounter()
    /// Set when the server refused a user name and password sent with the
    /// first request (`Authorization: Basic`) before it ever took one (over
    /// `http://`, at any time), or answered with a redirect: later attempts
    /// and commands wait to be asked.
    let basicAuthorizationRefused = OnceFlag()
    /// Set when the server took a Basic login: over HTTPS one sent with the
    /// first request; over `http://` one git gave when the server asked for
    /// Basic and nothing else (``HTTPLoginTrace``). Later commands send the
    /// login with their first request, and a later refusal is a wrong
    /// login, not another scheme.
    let basicAuthorizationAccepted = OnceFlag()
    /// Set once a successful command over `http://` that logged in when
    /// asked (or was redirected) has been traced for the scheme it used
    /// (``HTTPLoginTrace``): one look is enough.
    let httpLoginSchemeExamined = OnceFlag()
    /// What network commands take from the user's git configuration
    /// (`Credentials.gitConfiguration`); `nil` when isolated.
    let userSettings: UserGitSettings?

    /// This transport's claim on its mirror (see ``MirrorClaim``), held while it lives.
    let mirrorClaim: MirrorClaim

    /// Opens the bare mirror at `configuration.mirrorPath`, creating it when
    /// it is missing, and points its remote `origin` at `configuration.url`.
    ///
    /// - Parameters:
    ///   - configuration: The remote, branch, mirror folder and credentials.
    ///   - gitPath: The git executable; `nil` looks `git` up in `PATH`.
    public init(configuration: RemoteConfiguration, gitPath: String? = nil) async throws {
        try Self.checkRemote(configuration)
        self.configuration = configuration
        daemonAddress = configuration.fetchesBlobsOnDemand ? nil : GitDaemonAddress(url: configuration.url)
        let mirror = URL(fileURLWithPath: configuration.mirrorPath).standardizedFileURL.path
        let runner = try await GitRunner(gitPath: gitPath, mirrorPath: mirror)
        self.runner = runner
        self.objects = CatFileBatch(runner: runner, looseObjects: LocalRepository(folder: mirror))
        self.reads = GitObjectReader(runner: runner, objects: objects)
        self.blobWriter = GitCoprocess(runner: runner, arguments: ["hash-object", "-w", "--no-filters", "--stdin-paths"])
        self.treeWriter = GitCoprocess(runner: runner, arguments: ["mktree", "-z", "--batch", "--missing"])
        self.commitWriter = GitCoprocess(
            runner: runner, arguments: ["hash-object", "-w", "-t", "commit", "--no-filters", "--stdin-paths"])
        self.fetchedTreeWriter = GitCoprocess(
            runner: runner, arguments: ["hash-object", "-w", "-t", "tree", "--no-filters", "--stdin-paths"])
        self.mirrorReferences = GitCoprocess(
            runner: runner, arguments: ["update-ref", "--stdin"], environment: GitRunner.toolIdentity)
        if let environment = configuration.credentials.gitConfiguration.environment,
            !LocalRepositoryURL.isLocal(configuration.url)
        {
            userSettings = try await UserGitSettings.read(with: runner, environment: environment)
        } else {
            userSettings = nil
        }
        // Ref lock files a killed process (or its git) left in the mirror would block every later update of those refs.
        mirrorClaim = MirrorClaim(mirror: mirror)
        mirrorClaim.removeLeftLocks()
        try await openMirror(at: mirror)
    }

    /// How many git processes this transport has started, the long-lived
    /// `cat-file` included (for tests and diagnostics).
    var processLaunches: Int { runner.launches.value }

    // MARK: Mirror

    private func openMirror(at path: String) async throws(TransportError) {
        let head = URL(fileURLWithPath: path).appendingPathComponent("HEAD").path
        if !FileManager.default.fileExists(atPath: head) {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw TransportError(.backend, "cannot create the mirror folder \(path): \(error)", underlying: error)
            }
            _ = try await runner.check(["init", "--quiet", "--bare", path])
        }
        // One read of the remote's settings; writes only when something is missing.
        let current = try await runner.run(["config", "-z", "--get-regexp", "^remote\\.origin\\."])
        var url: String?
        var fetchSpecs: [String] = []
        for record in GitOutput.fields(current.standardOutput) {
            let text = GitOutput.text(record)
            guard let newline = text.firstIndex(of: "\n") else { continue }
            let value = String(text[text.index(after: newline)...])
            switch text[..<newline] {
            case "remote.origin.url": url = value
            case "remote.origin.fetch": fetchSpecs.append(value)
            default: break
            }
        }
        if url != configuration.url {
            _ = try await runner.check(["config", "remote.origin.url", configuration.url])
        }
        // With a fetch refspec for the branch, `git push` moves the tracking ref itself.
        let spec = "+\(configuration.localReference):\(configuration.trackingReference)"
        if !fetchSpecs.contains(spec) {
            _ = try await runner.check(["config", "--add", "remote.origin.fetch", spec])
        }
    }

    private static func checkRemote(_ configuration: RemoteConfiguration) throws(TransportError) {
        let url = configuration.url
        if url.isEmpty || url.hasPrefix("-") || url.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw TransportError(.invalidArgument, "'\(url)' is not a usable remote URL")
        }
        try LocalRepositoryURL.check(url)
        if let scheme = url.range(of: "://"), url[scheme.upperBound...].prefix(while: { $0 != "/" }).contains("@"),
            url.hasPrefix("http")
        {
            throw TransportError(
                .invalidArgument,
                "the remote URL must not hold credentials; give them through Credentials.passwordProvider")
        }
        let branch = configuration.branch
        if branch.isEmpty || branch.hasPrefix("-") || branch.hasPrefix("/") || branch.hasSuffix("/")
            || branch.hasSuffix(".lock") || branch.contains("..") || branch.contains("@{")
            || branch.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || "~^:?*[\\".unicodeScalars.contains($0) })
        {
            throw TransportError(.invalidArgument, "'\(branch)' is not a valid branch name")
        }
    }

    // MARK: Reading

    public func resolve(_ reference: String) async throws -> ObjectID? {
        try await reads.resolve(reference)
    }

    public func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        try await reads.treeEntries(at: commit, under: prefix)
    }

    /// A partial mirror downloads the blob first when it lacks it.
    public func blob(_ id: ObjectID) async throws -> [UInt8] {
        do {
            return try await reads.blob(id)
        } catch let error as TransportError where error.code == .objectNotFound && configuration.fetchesBlobsOnDemand {
            guard try await fetchMissingBlobs([id]) > 0 else { throw error }
            return try await reads.blob(id)
        }
    }

    /// A partial mirror downloads those it lacks first, in one request.
    public func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]] {
        do {
            return try await reads.blobs(ids)
        } catch let error as TransportError where error.code == .objectNotFound && configuration.fetchesBlobsOnDemand {
            guard try await fetchMissingBlobs(ids) > 0 else { throw error }
            return try await reads.blobs(ids)
        }
    }

    public func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        try await reads.changes(from: old, to: new, under: prefix)
    }

    /// Ends the long-lived `git cat-file --batch` process, which after a
    /// large read holds the mirror's mapped packs and git's cache of delta
    /// bases, and returns once it has ended; the next read starts another.
    public func releaseCaches() async throws {
        await objects.end()
    }

    public func commitObject(_ id: ObjectID) async throws -> CommitObject {
        try await reads.commitObject(id)
    }

    public func history(of path: String, from commit: ObjectID, limit: Int?) async throws -> [CommitInfo] {
        try RepositoryPath.validate(path)
        var arguments = ["log", "-z", "--format=%H"]
        if let limit {
            guard limit > 0 else { return [] }
            arguments.append("--max-count=\(limit)")
        }
        arguments += [commit.hex, "--", path]
        let result = try await runner.check(arguments)
        var commits: [CommitInfo] = []
        for field in GitOutput.fields(result.standardOutput) {
            let text = GitOutput.text(field).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let id = ObjectID(hex: text) else {
                throw TransportError(.backend, "git log printed '\(text)' instead of a commit id")
            }
            guard let object = try await objects.read(id.hex), object.type == "commit" else {
                throw TransportError(.objectNotFound, "the mirror has no commit \(id)")
            }
            commits.append(try GitOutput.commit(id: id, raw: object.contents))
        }
        return commits
    }

    // MARK: Refs

    public func updateReference(_ reference: String, to new: ObjectID, expecting expected: ObjectID?) async throws
        -> Bool
    {
        try GitObjectReader.checkReference(reference, allowingIDs: false)
        let old = expected?.hex ?? String(repeating: "0", count: new.hex.count)
        let result = try await runner.run(
            ["update-ref", "--no-deref", reference, new.hex, old], environment: GitRunner.toolIdentity)
        if result.succeeded { return true }
        // Lost compare-and-swap: the ref is not at the expected value.
        let current = try await resolveExactly(reference)
        if current != expected { return false }
        throw GitFailure.error(for: result, command: "update-ref", remote: nil)
    }

    /// The object a ref points at, without peeling.
    func resolveExactly(_ reference: String) async throws(TransportError) -> ObjectID? {
        let result = try await runner.run(["rev-parse", "--verify", "--quiet", "--end-of-options", reference])
        return result.succeeded ? ObjectID(hex: result.outputText) : nil
    }
}
