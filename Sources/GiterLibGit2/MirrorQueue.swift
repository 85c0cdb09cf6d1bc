import Dispatch
import Giter

/// Runs every libgit2 call for one mirror (or one repository opened for
/// reading) on a dedicated serial queue.
///
/// libgit2 calls block (disk, network), so they never run on Swift's
/// cooperative thread pool; and libgit2 handles are not thread-safe, so the
/// repository handle is only ever touched on this queue.
final class MirrorQueue: @unchecked Sendable {
    // @unchecked Sendable: `repository` is read and written only from
    // blocks running on `queue`, a serial queue, never concurrently.
    private let queue: DispatchQueue
    private var repository: Repository?
    /// Whether ``open(_:)`` opened the repository (a mirror), not a caller.
    private var opensMirror = false

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    /// A queue for `repository`, opened by the caller, which hands it over:
    /// from now on only blocks on the queue touch it.
    init(label: String, repository: Repository) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        self.repository = repository
    }

    /// Opens (or creates) the bare mirror on the queue and configures its remote.
    func open(_ configuration: RemoteConfiguration) async throws(TransportError) {
        try await perform { () throws(TransportError) in
            try LibGit2.initialize()
            try Repository.validateReferenceName(configuration.localReference)
            let repository = try Repository.openOrCreateBare(
                at: configuration.mirrorPath, initialBranch: configuration.branch)
            try repository.configureRemote(named: "origin", url: configuration.url, branch: configuration.branch)
            self.repository = repository
            self.opensMirror = true
        }
    }

    /// Replaces the mirror's handle by a new one on the same folder, which
    /// frees all libgit2 keeps of the old one: its object database with
    /// each pack's mapped windows and cache of delta bases, its parsed
    /// configuration and refs, the remote read from it. Closing and opening
    /// again, rather than `git_repository__cleanup`, because libgit2 1.7
    /// and later free a repository's grafts there and read them again only
    /// when it is opened. Only for a mirror this queue opened (``open(_:)``):
    /// a repository handed over may read its objects from a folder of its
    /// own (a hook's quarantine), which opening the path again would lose.
    func reopenMirror() async throws(TransportError) {
        try await perform { () throws(TransportError) in
            guard let current = self.repository, self.opensMirror else { return }
            guard let fresh = Repository.openExistingBare(at: current.path) else {
                throw TransportError(.backend, "cannot open the mirror at \(current.path) again")
            }
            self.repository = fresh
        }
    }

    /// Runs `body` with the repository on the queue and returns its result.
    func run<Value: Sendable>(
        _ body: @escaping @Sendable (Repository) throws(TransportError) -> Value
    ) async throws(TransportError) -> Value {
        try await perform { () throws(TransportError) in
            guard let repository = self.repository else {
                throw TransportError(.backend, "the mirror is not open")
            }
            return try body(repository)
        }
    }

    private func perform<Value: Sendable>(
        _ body: @escaping @Sendable () throws(TransportError) -> Value
    ) async throws(TransportError) -> Value {
        let result: Result<Value, TransportError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(TransportError) in try body() })
            }
        }
        return try result.get()
    }
}
