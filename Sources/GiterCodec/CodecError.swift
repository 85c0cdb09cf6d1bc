/// An error found while reading or writing YAML or JSON text.
///
/// Syntax errors, unsupported YAML features, duplicate keys and exceeded
/// limits are reported with this type, always with the ``location`` where
/// the problem starts when there is one. Type mismatches during decoding are
/// reported as standard `DecodingError`s instead.
public struct CodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem the error reports. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case syntax
            case unsupported
            case duplicateKey
            case limitExceeded
            case invalidEncoding
            case invalidValue
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The text is not well-formed YAML or JSON.
        public static let syntax = Code(.syntax)
        /// The text uses a YAML feature outside Giter's subset (anchors,
        /// aliases, tags, complex keys, directives).
        public static let unsupported = Code(.unsupported)
        /// A mapping has the same key twice.
        public static let duplicateKey = Code(.duplicateKey)
        /// Nesting depth or document size exceeds the configured ``ParseLimits``.
        public static let limitExceeded = Code(.limitExceeded)
        /// The input is not valid UTF-8, or holds a character that is not allowed.
        public static let invalidEncoding = Code(.invalidEncoding)
        /// A value cannot be written in the requested format (for example a
        /// non-finite number in JSON).
        public static let invalidValue = Code(.invalidValue)

        public var description: String {
            switch base {
            case .syntax: "syntax error"
            case .unsupported: "unsupported"
            case .duplicateKey: "duplicate key"
            case .limitExceeded: "limit exceeded"
            case .invalidEncoding: "invalid encoding"
            case .invalidValue: "invalid value"
            }
        }
    }

    /// What kind of problem this is.
    public var code: Code
    /// A human-readable explanation that says what is wrong and, where it
    /// helps, what to do about it.
    public var message: String
    /// Where in the text the problem is, when known.
    public var location: SourceLocation?

    public init(_ code: Code, _ message: String, at location: SourceLocation? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    /// `LINE:COLUMN: message`, or just the message when there is no location.
    public var description: String {
        if let location { "\(location.line):\(location.column): \(message)" } else { message }
    }
}
