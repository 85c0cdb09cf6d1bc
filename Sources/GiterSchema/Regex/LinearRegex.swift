// A temporary stand-in with the agreed API: the real matcher (RE2 syntax,
// linear time) replaces this file at merge. Until then no pattern compiles,
// so every `pattern` of a schema is reported as not enforced.

/// A regular expression in RE2 syntax, matched in linear time (no backtracking).
public struct LinearRegex: Sendable {
    /// Compiles `pattern`; an unsupported or invalid pattern throws an error saying what.
    public init(_ pattern: String) throws(LinearRegexError) {
        throw LinearRegexError(message: "pattern matching is not built yet", offset: 0)
    }

    /// Whether the pattern matches anywhere in `text` (unanchored, like Go's
    /// `regexp.MatchString`, which Kubernetes uses for `pattern`).
    public func matches(_ text: String) -> Bool { false }
}

/// Why a pattern cannot be compiled, and where in the pattern.
public struct LinearRegexError: Error, Sendable, CustomStringConvertible {
    /// What is wrong or unsupported.
    public var message: String
    /// The UTF-8 offset in the pattern where the problem starts.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at offset \(offset))" }
}
