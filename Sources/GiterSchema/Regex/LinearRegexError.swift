/// Why a pattern cannot be used as a ``LinearRegex``.
///
/// The ``offset`` counts Unicode scalars from the start of the pattern (0-based), the unit the codec's
/// `SourceLocation.column` counts in, so a caller can point into the document the pattern came from.
public struct LinearRegexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem the error reports. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case syntax
            case unsupported
            case tooLarge
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The pattern is not RE2 syntax, so Go's `regexp` (and the Kubernetes API server) refuses it too:
        /// an unclosed group, a bad range, a repetition of nothing, and what RE2 leaves out on purpose
        /// (backreferences, lookaround, possessive and atomic forms).
        public static let syntax = Code(.syntax)
        /// The pattern is RE2 syntax that `LinearRegex` does not implement: Unicode scripts and other
        /// properties (`\p{Greek}`); only general categories (`\p{Lu}`) are known.
        public static let unsupported = Code(.unsupported)
        /// The pattern nests groups more than 200 deep, or compiles to more instructions than
        /// ``LinearRegex/maximumProgramSize``.
        public static let tooLarge = Code(.tooLarge)

        public var description: String {
            switch base {
            case .syntax: "syntax error"
            case .unsupported: "unsupported"
            case .tooLarge: "too large"
            }
        }
    }

    /// What kind of problem this is.
    public var code: Code
    /// What is wrong and, where it helps, what to do about it.
    public var message: String
    /// Where in the pattern the problem starts, in Unicode scalars from its start (0-based).
    public var offset: Int

    public init(_ code: Code, _ message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    /// `offset N: message`.
    public var description: String { "offset \(offset): \(message)" }
}
