import Giter
import Synchronization

/// The resource files a command's stores could not read, as their
/// ``StoreEvent/invalidResource(_:)`` events report them, so that a command
/// shows the good resources and reports each bad one (file, line, column,
/// and what to do) instead of leaving it out or failing as a whole.
final class UnreadableFiles: Sendable {
    private let errors = Mutex<[String: StoreError]>([:])

    /// Records the file of an event, if it is about one.
    func record(_ event: StoreEvent) {
        guard case .invalidResource(let error) = event, let path = error.path else { return }
        errors.withLock { $0[path] = error }
    }

    /// The errors recorded about live (or, with `archived`, archived)
    /// resources of `kind`, in `namespace` (`nil`: any), sorted by path.
    func errors(kind: String, namespace: String?, archived: Bool = false) -> [(key: ResourceKey, error: StoreError)] {
        errors.withLock { errors in
            errors.compactMap { path, error -> (key: ResourceKey, error: StoreError)? in
                guard let key = archived ? ResourceKey(archivePath: path) : ResourceKey(repositoryPath: path),
                    key.kind == kind, namespace.map({ $0 == key.namespace }) ?? true
                else { return nil }
                return (key, error)
            }
            .sorted { $0.key < $1.key }
        }
    }

    /// The line a command prints for a resource it cannot read: the file's
    /// error and what the producer can do about it.
    static func message(_ key: ResourceKey, _ error: StoreError, archived: Bool = false) -> String {
        let fix =
            archived
            ? "fix the file with git, or delete it with 'giter delete \(key.kind)/\(key.name) -n \(key.namespace)'"
            : "fix the file, replace it with 'giter apply', or delete it with "
                + "'giter delete \(key.kind)/\(key.name) -n \(key.namespace)'"
        return "\(key.kind) \"\(key.name)\" cannot be read: \(error); \(fix)"
    }
}
