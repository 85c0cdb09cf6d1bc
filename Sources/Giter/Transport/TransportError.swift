/// A failure to talk to a Git repository: the network, authentication, a
/// missing branch, a corrupt or unsafe object.
///
/// Lost push races and server-side rejections are not errors; see
/// ``PushOutcome``.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case authenticationFailed, unknownHostKey, changedHostKey, unreachable, timedOut, repositoryNotFound
            case branchNotFound, objectNotFound, unsafePath, invalidArgument, backend
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The credentials were refused, or none were given when needed.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The SSH server's host key is not in the known-hosts file.
        public static let unknownHostKey = Code(.unknownHostKey)
        /// The SSH server's host key differs from the one in the known-hosts file.
        public static let changedHostKey = Code(.changedHostKey)
        /// The server could not be reached.
        public static let unreachable = Code(.unreachable)
        /// The server did not finish a conversation within
        /// ``RemoteConfiguration/networkTimeLimit``; the backend ended it.
        public static let timedOut = Code(.timedOut)
        /// The remote repository does not exist or is not readable.
        public static let repositoryNotFound = Code(.repositoryNotFound)
        /// The branch does not exist on the remote.
        public static let branchNotFound = Code(.branchNotFound)
        /// An object or ref is missing from the local mirror.
        public static let objectNotFound = Code(.objectNotFound)
        /// A tree entry is a symlink or gitlink, or its name is unsafe
        /// (`.git`, `..`, `git~1`…); Giter never reads such a path.
        public static let unsafePath = Code(.unsafePath)
        /// A path, ref or id given by the caller is not valid.
        public static let invalidArgument = Code(.invalidArgument)
        /// The backend (libgit2 or the git executable) failed otherwise.
        public static let backend = Code(.backend)

        public var description: String {
            switch base {
            case .authenticationFailed: "authentication failed"
            case .unknownHostKey: "unknown host key"
            case .changedHostKey: "changed host key"
            case .unreachable: "unreachable"
            case .timedOut: "timed out"
            case .repositoryNotFound: "repository not found"
            case .branchNotFound: "branch not found"
            case .objectNotFound: "object not found"
            case .unsafePath: "unsafe path"
            case .invalidArgument: "invalid argument"
            case .backend: "backend failure"
            }
        }
    }

    public var code: Code
    /// What failed and what to do about it.
    public var message: String
    /// The remote URL involved, with any credentials removed.
    public var remote: String?
    /// The underlying error, when there is one.
    public var underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, remote: String? = nil, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.remote = remote
        self.underlying = underlying
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let remote { text += " (\(remote))" }
        return text
    }
}

extension TransportError {
    /// What both backends throw when `action` (a listing, a fetch or a push)
    /// did not finish within `configuration`'s
    /// ``RemoteConfiguration/networkTimeLimit``.
    package static func timedOut(_ action: String, _ configuration: RemoteConfiguration) -> TransportError {
        TransportError(
            .timedOut,
            "cannot \(action): the server did not finish within \(configuration.networkTimeLimit), so the conversation"
                + " was ended (the limit is RemoteConfiguration.networkTimeLimit)",
            remote: configuration.url)
    }
}
