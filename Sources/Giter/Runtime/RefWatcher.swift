import Dispatch
public import Logging
import Synchronization

/// Watches the branch ref of a repository on this machine and says when
/// it may have moved: the fast path for a remote that is a folder here.
///
/// ```swift
/// let changes = ChangeNotifier()
/// let watcher = RefWatcher(LocalRemote(gitFolder: "/srv/exchange.git", reference: "refs/heads/main"))
/// await controller.addEventSource(changes.subscribe())
/// try await watcher.run(notifying: changes)    // in a child task, until cancelled
/// ```
///
/// A ``Controller`` and a ``Producer``'s waits start one by themselves for
/// a store whose ``ResourceStore/localRemote`` is set, unless told not to
/// (``ControllerOptions/watchesLocalRemote``, ``Producer/init(store:watchesLocalRemote:)``).
///
/// A ``LocalRemote/reference`` that ends in `/` (such as
/// `refs/heads/giter/x/`) names a folder of refs: any ref in it moving,
/// appearing or going counts (``BranchSetStore`` watches so).
///
/// It notices the ref moving however Git moves it: a loose ref written
/// under a lock and renamed into place (`refs/heads/main.lock` →
/// `refs/heads/main`), `packed-refs` rewritten (`git pack-refs`, `git gc`),
/// the ref deleted, a folder of a nested branch name (`refs/heads/team/x`)
/// created later, and the repository folder removed, moved away or
/// replaced. What it watches is the chain of folders from the one holding
/// the repository down to the one holding the ref — one kernel watch per
/// folder, the ref's own name and `packed-refs` looked for, every other
/// entry ignored; a folder that does not exist yet is watched from its
/// parent and added when it appears. inotify on Linux; kqueue on macOS
/// (which does not name the entry that changed, so any change in a
/// watched folder counts).
///
/// A change is a hint, never content: the caller asks the remote
/// (``Transport/remoteTip()``, a fetch) and reads what changed from the
/// repository. When the kernel drops events (`IN_Q_OVERFLOW`) it is a
/// hint too, and every watch is set up again. Hints merge in the
/// ``ChangeNotifier``; nothing is buffered here. Once its watches are set
/// up the watcher gives one hint, covering any move made before them.
public struct RefWatcher: Sendable {
    /// The repository and ref watched.
    public let remote: LocalRemote
    let logger: Logger

    /// A watcher of `remote`; `logger` gets a line when a watch is lost or set up again.
    public init(_ remote: LocalRemote, logger: Logger = Logger(label: "giter.ref-watcher")) {
        self.remote = remote
        self.logger = logger
    }

    /// Calls ``ChangeNotifier/notify()`` on `notifier` whenever the ref may
    /// have moved, until the calling task is cancelled; returns then, every
    /// kernel watch and descriptor closed.
    ///
    /// - Throws: ``RefWatcherError`` when the repository cannot be watched:
    ///   there is no folder at ``LocalRemote/gitFolder`` (``RefWatcherError/Code/notFound``),
    ///   or the system refuses a watch (``RefWatcherError/Code/cannotWatch``),
    ///   at the start or later. The caller's safety poll goes on.
    public func run(notifying notifier: ChangeNotifier) async throws {
        try await run { notifier.notify() }
    }

    /// Calls `onChange` (on a queue of the watcher's: keep it short) whenever
    /// the ref may have moved; see ``run(notifying:)``.
    public func run(onChange: @escaping @Sendable () -> Void) async throws {
        if Task.isCancelled { return }
        let session = try WatchSession(remote, onChange: onChange, logger: logger)
        await withTaskCancellationHandler {
            await session.waitUntilClosed()
        } onCancel: {
            session.stop(failure: nil)
        }
        if let failure = session.failure { throw failure }
    }
}

extension RefWatcher {
    /// ``run(onChange:)``, with a failure logged as a warning instead of
    /// thrown: for the waiters that watch by default and poll anyway.
    func runReportingFailure(onChange: @escaping @Sendable () -> Void) async {
        do {
            try await run(onChange: onChange)
        } catch {
            logger.warning(
                "not watching the repository on this machine, polling instead: \(error)",
                metadata: ["repository": "\(remote.gitFolder)"])
        }
    }
}

/// One run of a ``RefWatcher``: the kernel watches over the chain of folders.
private final class WatchSession: Sendable {
    /// The folders watched, from the one holding the repository down to
    /// the one holding the ref; `names[i]` is the entry of `folders[i]`
    /// that leads down (the last one: the ref's file).
    private let folders: [String]
    private let names: [String]
    /// Whether every entry of the last folder counts (a folder of refs is watched).
    private let matchesAnyEntry: Bool
    private let onChange: @Sendable () -> Void
    private let logger: Logger
    private let queue = DispatchQueue(label: "giter.ref-watcher")
    private let watch = Mutex<FolderWatch?>(nil)

    private struct State {
        var handles: [FolderWatch.Handle?]
        var stopping = false
        var closed = false
        var failure: RefWatcherError?
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state: Mutex<State>

    /// Sets up every watch that can be, then gives one hint.
    init(_ remote: LocalRemote, onChange: @escaping @Sendable () -> Void, logger: Logger) throws(RefWatcherError) {
        var gitFolder = remote.gitFolder
        while gitFolder.count > 1, gitFolder.hasSuffix("/") { gitFolder.removeLast() }
        let parts = gitFolder.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let refParts = remote.reference.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard gitFolder.hasPrefix("/"), let repositoryName = parts.last, !refParts.isEmpty,
            !refParts.contains(where: { $0 == "." || $0 == ".." })
        else {
            throw RefWatcherError(
                .notFound, "cannot watch '\(remote.gitFolder)' for \(remote.reference): give an absolute folder and a full ref name")
        }
        // A reference ending in "/" names a folder of refs: any entry of it counts.
        let watchesFolder = remote.reference.hasSuffix("/")
        var folders = ["/" + parts.dropLast().joined(separator: "/"), gitFolder]
        var names = [repositoryName]
        for part in watchesFolder ? refParts[...] : refParts.dropLast() {
            names.append(part)
            folders.append(folders[folders.count - 1] + "/" + part)
        }
        names.append(watchesFolder ? "" : refParts[refParts.count - 1])
        self.matchesAnyEntry = watchesFolder
        self.folders = folders
        self.names = names
        self.onChange = onChange
        self.logger = logger
        state = Mutex(State(handles: Array(repeating: nil, count: folders.count)))

        guard FolderWatch.isFolder(gitFolder) else {
            throw RefWatcherError(
                .notFound, "there is no repository at \(gitFolder) to watch for \(remote.reference); waiters poll instead")
        }
        let watch = try FolderWatch(queue: queue) { [weak self] event in self?.handle(event) }
        self.watch.withLock { $0 = watch }
        // Set up on the queue events arrive on, so that no event is handled half-way through.
        let failure: RefWatcherError? = queue.sync { arm(from: 0) }
        if let failure {
            stop(failure: failure)
            throw failure
        }
        onChange()
    }

    var failure: RefWatcherError? { state.withLock { $0.failure } }

    /// Returns once ``stop(failure:)`` closed every watch.
    func waitUntilClosed() async {
        await withCheckedContinuation { continuation in
            let closed = state.withLock { state in
                if !state.closed { state.waiter = continuation }
                return state.closed
            }
            if closed { continuation.resume() }
        }
    }

    /// Closes every watch (once), recording `failure` when this call is
    /// the one that stops: a failure met while a cancelled watcher is
    /// closing is not one.
    func stop(failure: RefWatcherError?) {
        let first = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.stopping = true
            state.failure = failure
            return true
        }
        guard first else { return }
        let watch = self.watch.withLock { $0 }
        let close: @Sendable () -> Void = { [self] in
            let waiter = state.withLock { state in
                state.closed = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        if let watch { watch.close(then: close) } else { close() }
    }

    /// Handles one kernel event, on `queue`.
    private func handle(_ event: FolderEvent) {
        if state.withLock({ $0.stopping }) { return }
        switch event {
        case .overflow:
            logger.debug("the kernel dropped folder events; watching \(folders[1]) again")
            rearm(from: 0)
        case .folderGone(let handle):
            guard let index = index(of: handle) else { return }
            if index == 0 {
                logger.warning("the folder holding \(folders[1]) was removed or moved; setting the watch up again")
            }
            rearm(from: index)
        case .entry(let handle, let name):
            guard let index = index(of: handle) else { return }
            let last = folders.count - 1
            let leadsDown = name == nil || name == names[index] || (index == last && matchesAnyEntry)
            let packedRefs = index == 1 && (name == nil || name == "packed-refs")
            if index < last, leadsDown {
                rearm(from: index + 1)
            } else if leadsDown || packedRefs {
                onChange()
            }
        }
    }

    /// Sets the watches from `index` down up again and gives a hint; stops on failure.
    private func rearm(from index: Int) {
        if let failure = arm(from: index) {
            logger.warning("\(failure.message)")
            stop(failure: failure)
        }
        onChange()
    }

    private func index(of handle: FolderWatch.Handle) -> Int? {
        state.withLock { $0.handles.firstIndex(of: handle) }
    }

    /// Removes the watches of `folders[index...]` and adds them again, down
    /// to the first folder that does not exist (its parent's watch will
    /// see it appear). Runs on `queue`.
    private func arm(from index: Int) -> RefWatcherError? {
        guard let watch = watch.withLock({ $0 }) else { return nil }
        let old = state.withLock { state -> [FolderWatch.Handle] in
            defer { for slot in index..<state.handles.count { state.handles[slot] = nil } }
            return state.handles[index...].compactMap { $0 }
        }
        for handle in old { watch.remove(handle) }
        for slot in index..<folders.count {
            let entryWrites = slot == 1 || slot == folders.count - 1
            switch watch.add(folders[slot], entryWrites: entryWrites) {
            case .success(let handle):
                state.withLock { $0.handles[slot] = handle }
            case .failure(.missing):
                if slot == 0 {
                    return RefWatcherError(
                        .notFound, "the folder \(folders[0]) holding the repository is gone; waiters poll instead")
                }
                return nil
            case .failure(.refused(let reason)):
                return RefWatcherError(.cannotWatch, reason + "; waiters poll instead")
            }
        }
        return nil
    }
}
