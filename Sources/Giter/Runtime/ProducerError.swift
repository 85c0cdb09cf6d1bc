/// Why a ``Producer`` call gave up.
public struct ProducerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. New codes may be added: compare with `==` (or
    /// `switch` with a `default`), as with the other errors' codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case timedOut, failed, gone, unreadable
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The wait's timeout passed.
        public static let timedOut = Code(.timedOut)
        /// The consumer reported a terminal failure (`Stalled=True`) for the current spec.
        public static let failed = Code(.failed)
        /// The resource was deleted or archived.
        public static let gone = Code(.gone)
        /// The resource's file cannot be read as the producer's resource
        /// type (``StoreError/isFileError``): it is unreadable — it does not
        /// parse, is not YAML at all, is over the size limit, or is a
        /// symbolic link or gitlink — and no status can come for it, or it
        /// is invalid (it parses but does not decode), and the `InvalidSpec`
        /// status a consumer writes into it cannot be read as the type
        /// either. So a wait fails at once; ``ProducerError/cause`` names the
        /// file, line and column. The producer replaces the file (by
        /// applying the resource again) or deletes it.
        public static let unreadable = Code(.unreadable)

        public var description: String {
            switch base {
            case .timedOut: "timed out"
            case .failed: "failed"
            case .gone: "gone"
            case .unreadable: "unreadable"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// The resource concerned, if one.
    public var key: ResourceKey?
    /// What happened.
    public var message: String
    /// The store's error behind this one, if any: for
    /// ``Code/unreadable``, the file's ``StoreError/path`` and
    /// ``StoreError/location`` (line and column).
    public var cause: StoreError?

    /// An error from its parts.
    public init(_ code: Code, key: ResourceKey?, _ message: String, cause: StoreError? = nil) {
        self.code = code
        self.key = key
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
