/// Why a ``RefWatcher`` could not watch, or stopped watching, a repository.
///
/// Never fatal to the caller: a ``Controller`` or a ``Producer``'s wait
/// reports it (a log line) and goes on with its safety poll.
public struct RefWatcherError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. New codes may be added: compare with `==` (or
    /// `switch` with a `default`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case notFound, cannotWatch
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// There is no folder at the repository's path (or the folder
        /// holding it was removed while watched).
        public static let notFound = Code(.notFound)
        /// The system refused a watch: a limit (`fs.inotify.max_user_watches`,
        /// `max_user_instances`, open files) or permissions.
        public static let cannotWatch = Code(.cannotWatch)

        public var description: String {
            switch base {
            case .notFound: "not found"
            case .cannotWatch: "cannot watch"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// What happened and what to do.
    public var message: String

    /// An error from its parts.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
