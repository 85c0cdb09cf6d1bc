import Foundation
import GitServerFixtures
@testable import Giter
import GiterTesting
import Logging
import Synchronization
import Testing

/// How the resource reaches the exchange repository in a ref watcher test:
/// always by a process or store other than the watching ones.
enum WatchedPush: String, CaseIterable, Sendable, CustomStringConvertible {
    /// A producer writes into a bare clone, then `git push` moves the exchange's branch.
    case gitPushFromAClone
    /// The other backend's producer store pushes.
    case otherBackendsStore
    /// The other backend's store pushes to `team/x`, whose folder `refs/heads/team` does not exist yet.
    case nestedBranch

    var description: String { rawValue }
    var branch: String { self == .nestedBranch ? "team/x" : "main" }
}

/// A bare exchange repository on this machine, and stores on it.
struct LocalExchange: Sendable {
    let backend: Backend
    let branch: String
    let folder: TemporaryDirectory
    let repository: BareRepository

    static func make(_ backend: Backend, branch: String = "main", seeded: Bool = false) async throws -> LocalExchange {
        let folder = try TemporaryDirectory(prefix: "giter-watch")
        let repository = try await BareRepository.create(at: folder.appending("exchange.git", isDirectory: true), seeded: seeded)
        return LocalExchange(backend: backend, branch: branch, folder: folder, repository: repository)
    }

    var other: Backend { backend == .libgit2 ? .gitCLI : .libgit2 }

    func store(_ identity: ExchangeIdentity, mirror: String, backend: Backend? = nil, url: String? = nil) async throws
        -> GitResourceStore<Job>
    {
        let configuration = RemoteConfiguration(
            url: url ?? repository.path, branch: branch, mirrorPath: folder.appending("mirror-\(mirror)").path)
        var logger = Logger(label: "giter.test.\(mirror)")
        logger.logLevel = .error
        return GitResourceStore(
            transport: try await (backend ?? self.backend).open(configuration), resourceType: jobType,
            options: StoreOptions(identity: identity, roles: labRoles, logger: logger))
    }
}

/// A store that says each time a `get` has answered, so a test knows a wait made its first check.
struct ObservedStore: ResourceStore {
    let base: GitResourceStore<Job>
    let answered: AsyncStream<Void>.Continuation

    var resourceType: ResourceType { base.resourceType }
    var identity: ExchangeIdentity { base.identity }
    var localRemote: LocalRemote? { base.localRemote }
    func remoteMoved() async throws -> Bool { try await base.remoteMoved() }
    func refresh() async throws -> StoreRevision? { try await base.refresh() }
    func revision() async -> StoreRevision? { await base.revision() }
    func get(_ key: ResourceKey) async throws -> StoredResource<Job>? {
        defer { answered.yield() }
        return try await base.get(key)
    }
    func list(_ query: ResourceQuery) async throws -> [StoredResource<Job>] { try await base.list(query) }
    func changes(since revision: StoreRevision?) async throws -> ResourceChanges<Job> {
        try await base.changes(since: revision)
    }
    func write(_ writes: [ResourceWrite<Job>]) async throws -> WriteResult { try await base.write(writes) }
}

/// The inotify instances of this process that watch the folder with inode `inode`
/// (from `/proc/self/fdinfo`): other tests running alongside may hold inotify
/// instances of their own, but none on this test's folders.
func inotifyInstances(watching inode: UInt64) -> Int {
    let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    let hex = "ino:" + String(inode, radix: 16) + " "
    return descriptors.count { descriptor in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)"),
            target.contains("inotify"),
            let info = try? String(contentsOfFile: "/proc/self/fdinfo/\(descriptor)", encoding: .utf8)
        else { return false }
        return info.contains(hex)
    }
}

func inode(of path: String) throws -> UInt64 {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
}

@Suite("The ref watcher wakes waiters on a repository on this machine", .serialized, .timeLimit(.minutes(3)))
struct RefWatcherTests {
    /// Only the watcher can wake the controller and the producer's wait:
    /// both poll once an hour on a test clock that is never advanced.
    @Test(arguments: Backend.allCases, WatchedPush.allCases)
    func aPushByAnotherProcessWakesTheControllerAndTheWait(_ backend: Backend, _ push: WatchedPush) async throws {
        guard try TestRequirements.available(ExecutableLocator.find("git") == nil ? "git is not installed" : nil, for: "git")
        else { return }
        let exchange = try await LocalExchange.make(backend, branch: push.branch)
        defer { exchange.folder.remove() }
        let clock = TestClock()
        let gate = ReconcileGate(holding: "watched")
        let consumerStore = try await exchange.store(consumerIdentity(0), mirror: "consumer")
        #expect(consumerStore.localRemote?.gitFolder == exchange.repository.path)
        let controller = Controller(
            store: consumerStore, reconciler: gate,
            options: ControllerOptions(pollInterval: .seconds(3600), pollJitter: 0, statusWriteWindow: .zero), clock: clock)
        let run = Task { try await controller.run() }
        defer { run.cancel() }
        try await withDeadline { await controller.waitUntilIdle() }

        let applied = job("watched", payload: "from \(push)", round: 1)
        switch push {
        case .gitPushFromAClone:
            let clone = exchange.folder.appending("clone.git", isDirectory: true).path
            try await runGitChecked(["clone", "--quiet", "--bare", exchange.repository.path, clone])
            let producer = Producer(store: try await exchange.store(producerIdentity(1), mirror: "clone", url: clone))
            try await producer.apply(applied)
            try await runGitChecked(["--git-dir", clone, "push", "--quiet", "origin", "refs/heads/main:refs/heads/main"])
        case .otherBackendsStore, .nestedBranch:
            let producer = Producer(
                store: try await exchange.store(producerIdentity(1), mirror: "other", backend: exchange.other))
            try await producer.apply(applied)
        }
        // The controller woke: nothing else could make it reconcile.
        try await withDeadline { await gate.started() }

        // The producer's wait makes its first check (no status yet), then only its watcher can wake it.
        let (answered, answeredInput) = AsyncStream.makeStream(of: Void.self)
        let waiting = Producer(
            store: ObservedStore(
                base: try await exchange.store(producerIdentity(0), mirror: "waiter"), answered: answeredInput))
        let wait = Task {
            try await waiting.wait(for: applied.key, timeout: .seconds(3600), pollInterval: .seconds(3600), clock: clock)
        }
        defer { wait.cancel() }
        try await withDeadline {
            var iterator = answered.makeAsyncIterator()
            _ = await iterator.next()
        }
        gate.release()
        let answer = try await withDeadline { try await wait.value }
        #expect(answer.resource.status?.digest == expectedDigest(applied.spec))
        #expect(answer.resource.status?.isTrue("Ready") == true)
        #expect(clock.now == TestClock.Instant(offset: .zero))
        controller.shutdown()
        try await withDeadline { try await run.value }
    }

    /// `git pack-refs --all` moves the loose ref into `packed-refs` (lock and
    /// rename of `packed-refs`, then the loose ref deleted): a hint.
    @Test(arguments: Backend.allCases)
    func packingTheRefsIsAHint(_ backend: Backend) async throws {
        let exchange = try await LocalExchange.make(backend, seeded: true)
        defer { exchange.folder.remove() }
        let remote = try #require(try await exchange.store(consumerIdentity(0), mirror: "watched").localRemote)
        let hints = ChangeNotifier()
        let first = hints.subscribe()
        let watching = Task { try await RefWatcher(remote).run(notifying: hints) }
        defer { watching.cancel() }
        try await nextHint(first)

        let packed = hints.subscribe()
        try await exchange.repository.git(["pack-refs", "--all"])
        #expect(!FileManager.default.fileExists(atPath: exchange.repository.path + "/refs/heads/main"))
        try await nextHint(packed)
        // With no loose ref left, only the `packed-refs` rule can see this:
        // the file rewritten under its lock and renamed into place, as Git does.
        let rewritten = hints.subscribe()
        let packedRefs = exchange.repository.path + "/packed-refs"
        try Data(contentsOf: URL(fileURLWithPath: packedRefs)).write(to: URL(fileURLWithPath: packedRefs + ".lock"))
        #expect(rename(packedRefs + ".lock", packedRefs) == 0)
        try await nextHint(rewritten)
        // The ref moves again, written loose over the packed one.
        let moved = hints.subscribe()
        _ = try await exchange.repository.commit(files: ["README": "again\n"], message: "again", onto: "refs/heads/main")
        try await nextHint(moved)
    }

    /// A folder of refs (`refs/heads/giter/x/`, as ``BranchSetStore`` watches
    /// it): a branch created in it while the folder does not exist yet, a
    /// second one, a move and a deletion are each a hint.
    @Test func aFolderOfRefsIsWatched() async throws {
        let exchange = try await LocalExchange.make(.gitCLI, seeded: true)
        defer { exchange.folder.remove() }
        let remote = LocalRemote(gitFolder: exchange.repository.path, reference: ExchangeGroup.referencePrefix)
        let hints = ChangeNotifier()
        let first = hints.subscribe()
        let watching = Task { try await RefWatcher(remote).run(notifying: hints) }
        defer { watching.cancel() }
        try await nextHint(first)
        #expect(!FileManager.default.fileExists(atPath: exchange.repository.path + "/refs/heads/giter"))

        let created = hints.subscribe()
        try await exchange.repository.git(["update-ref", "refs/heads/giter/x/a", "refs/heads/main"])
        try await nextHint(created)
        let second = hints.subscribe()
        try await exchange.repository.git(["update-ref", "refs/heads/giter/x/b", "refs/heads/main"])
        try await nextHint(second)
        let moved = hints.subscribe()
        _ = try await exchange.repository.commit(files: ["README": "on a\n"], message: "on a", onto: "refs/heads/giter/x/a")
        try await nextHint(moved)
        let deleted = hints.subscribe()
        try await exchange.repository.git(["update-ref", "-d", "refs/heads/giter/x/b"])
        try await nextHint(deleted)
    }

    /// The repository folder moved away and another put in its place: both are hints, and the new one is watched.
    @Test(arguments: Backend.allCases)
    func aReplacedRepositoryIsWatchedAgain(_ backend: Backend) async throws {
        let exchange = try await LocalExchange.make(backend, seeded: true)
        defer { exchange.folder.remove() }
        let remote = try #require(try await exchange.store(consumerIdentity(0), mirror: "watched").localRemote)
        let replacement = try await BareRepository.create(at: exchange.folder.appending("new.git", isDirectory: true))
        let hints = ChangeNotifier()
        let first = hints.subscribe()
        let watching = Task { try await RefWatcher(remote).run(notifying: hints) }
        defer { watching.cancel() }
        try await nextHint(first)

        let moved = hints.subscribe()
        try FileManager.default.moveItem(atPath: exchange.repository.path, toPath: exchange.folder.appending("old.git").path)
        try await nextHint(moved)
        let replaced = hints.subscribe()
        try FileManager.default.moveItem(atPath: replacement.path, toPath: exchange.repository.path)
        try await nextHint(replaced)
        let written = hints.subscribe()
        _ = try await BareRepository(url: exchange.repository.url).commit(
            files: ["README": "new\n"], message: "new", onto: "refs/heads/main")
        try await nextHint(written)
    }

    /// Cancelled, the watcher closes its inotify instance: no descriptor of
    /// this process watches the repository any more.
    @Test(arguments: Backend.allCases)
    func aCancelledWatcherLeavesNoDescriptor(_ backend: Backend) async throws {
        #if !os(Linux)
        // inotify and /proc/self/fdinfo are Linux's; nothing to count elsewhere.
        return
        #endif
        let exchange = try await LocalExchange.make(backend, seeded: true)
        defer { exchange.folder.remove() }
        let remote = try #require(try await exchange.store(consumerIdentity(0), mirror: "watched").localRemote)
        let repositoryInode = try inode(of: exchange.repository.path)
        #expect(inotifyInstances(watching: repositoryInode) == 0)
        let hints = ChangeNotifier()
        let first = hints.subscribe()
        let watching = Task { try await RefWatcher(remote).run(notifying: hints) }
        try await nextHint(first)
        #expect(inotifyInstances(watching: repositoryInode) == 1)
        watching.cancel()
        try await withDeadline { try await watching.value }
        #expect(inotifyInstances(watching: repositoryInode) == 0)
    }

    /// A remote path with no repository: the watcher says so at once and
    /// nothing crashes; a controller on it stops cleanly.
    @Test(arguments: Backend.allCases)
    func aMissingRepositoryIsReported(_ backend: Backend) async throws {
        let exchange = try await LocalExchange.make(backend)
        defer { exchange.folder.remove() }
        let missing = exchange.folder.appending("missing.git").path
        let store = try await exchange.store(consumerIdentity(0), mirror: "missing", url: missing)
        let remote = try #require(store.localRemote)
        #expect(remote.gitFolder == missing)
        let error = await #expect(throws: RefWatcherError.self) {
            try await withDeadline { try await RefWatcher(remote).run(notifying: ChangeNotifier()) }
        }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains(missing) == true)

        let controller = Controller(
            store: store, reconciler: DigestReconciler(name: "missing"),
            options: ControllerOptions(pollInterval: .seconds(3600), statusWriteWindow: .zero), clock: TestClock())
        let run = Task { try await controller.run() }
        controller.shutdown()
        try await withDeadline { try await run.value }
    }

    /// A network remote has nothing to watch; a relative path is not watched either.
    @Test(arguments: Backend.allCases)
    func onlyAnAbsoluteFolderIsALocalRemote(_ backend: Backend) async throws {
        let exchange = try await LocalExchange.make(backend)
        defer { exchange.folder.remove() }
        let network = try await exchange.store(consumerIdentity(0), mirror: "network", url: "git://127.0.0.1:9/x.git")
        #expect(network.localRemote == nil)
        let fileURL = try await exchange.store(
            consumerIdentity(0), mirror: "file", url: "file://" + exchange.repository.path)
        #expect(fileURL.localRemote == LocalRemote(gitFolder: exchange.repository.path, reference: "refs/heads/main"))
        let relative = try await exchange.store(consumerIdentity(0), mirror: "relative", url: "exchange.git")
        #expect(relative.localRemote == nil)
    }

    /// Every waiter of one repository in a process shares one watcher: one
    /// inotify instance however many wait, closed when the last one leaves.
    @Test(arguments: Backend.allCases)
    func waitersOfOneRepositoryShareOneWatcher(_ backend: Backend) async throws {
        #if !os(Linux)
        return
        #endif
        let exchange = try await LocalExchange.make(backend, seeded: true)
        defer { exchange.folder.remove() }
        let remote = try #require(try await exchange.store(consumerIdentity(0), mirror: "watched").localRemote)
        let repositoryInode = try inode(of: exchange.repository.path)
        let logger = Logger(label: "giter.test.shared")
        let watches = SharedRefWatches.shared
        try await watches.withHints(of: remote, logger: logger) { first in
            try await nextHint(first)
            try await watches.withHints(of: remote, logger: logger) { second in
                try await watches.withHints(of: remote, logger: logger) { third in
                    #expect(inotifyInstances(watching: repositoryInode) == 1)
                    _ = try await exchange.repository.commit(
                        files: ["README": "shared\n"], message: "shared", onto: "refs/heads/main")
                    try await nextHint(second)
                    try await nextHint(third)
                }
            }
            #expect(inotifyInstances(watching: repositoryInode) == 1)
        }
        // The last one left: the watcher stops and closes its instance.
        try await withDeadline {
            while inotifyInstances(watching: repositoryInode) != 0 {
                try Task.checkCancellation()
                await Task.yield()
            }
        }
    }

    /// With the watch turned off, a controller on a repository on this
    /// machine waits for its poll: a controller watching the same
    /// repository proves the push was seen, the other has not moved until
    /// its clock reaches the poll.
    @Test(arguments: Backend.allCases)
    func aControllerToldNotToWatchWaitsForItsPoll(_ backend: Backend) async throws {
        let exchange = try await LocalExchange.make(backend)
        defer { exchange.folder.remove() }
        let clock = TestClock()
        let watchingGate = ReconcileGate(holding: "pushed")
        let pollingGate = ReconcileGate(holding: "pushed")
        let watching = Controller(
            store: try await exchange.store(consumerIdentity(0), mirror: "watching"), reconciler: watchingGate,
            options: ControllerOptions(pollInterval: .seconds(3600), pollJitter: 0, statusWriteWindow: .zero),
            clock: clock)
        let polling = Controller(
            store: try await exchange.store(consumerIdentity(1), mirror: "polling"), reconciler: pollingGate,
            options: ControllerOptions(
                pollInterval: .seconds(60), pollJitter: 0, statusWriteWindow: .zero, watchesLocalRemote: false),
            clock: clock)
        let runs = [Task { try await watching.run() }, Task { try await polling.run() }]
        defer { for run in runs { run.cancel() } }
        try await withDeadline { await watching.waitUntilIdle() }
        try await withDeadline { await polling.waitUntilIdle() }

        let producer = Producer(store: try await exchange.store(producerIdentity(0), mirror: "producer"))
        try await producer.apply(job("pushed", payload: "seen by one", round: 1))
        try await withDeadline { await watchingGate.started() }
        #expect(!pollingGate.hasStarted, "a controller told not to watch was woken without its poll")
        clock.advance(by: .seconds(60))
        try await withDeadline { await pollingGate.started() }
        watchingGate.release()
        pollingGate.release()
        watching.shutdown()
        polling.shutdown()
        for run in runs { try await withDeadline { try await run.value } }
    }

    private func nextHint(_ hints: AsyncStream<Void>, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let hinted = try await withDeadline(sourceLocation: sourceLocation) {
            var iterator = hints.makeAsyncIterator()
            return await iterator.next() != nil
        }
        #expect(hinted, sourceLocation: sourceLocation)
    }
}
