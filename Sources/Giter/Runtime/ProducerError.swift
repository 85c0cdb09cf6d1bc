/// Why a ``Producer`` call gave up.
public struct ProducerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. New codes may be added: compare with `==` (or
    /// `switch` with a `default`), as with the other errors' codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case timedOut, failed, gone
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The wait's timeout passed.
        public static let timedOut = Code(.timedOut)
        /// The consumer reported a terminal failure (`Stalled=True`) for the current spec.
        public static let failed = Code(.failed)
        /// The resource was deleted or archived.
        public static let gone = Code(.gone)

        public var description: String {
            switch base {
            case .timedOut: "timed out"
            case .failed: "failed"
            case .gone: "gone"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// The resource concerned, if one.
    public var key: ResourceKey?
    /// What happened.
    public var message: String

    /// An error from its parts.
    public init(_ code: Code, key: ResourceKey?, _ message: String) {
        self.code = code
        self.key = key
        self.message = message
    }

    public var description: String { message }
}
