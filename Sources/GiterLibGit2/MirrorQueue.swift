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
