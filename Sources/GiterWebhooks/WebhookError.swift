/// Why a webhook receiver could not be set up.
///
/// Requests are never errors: a request that fails a check gets its HTTP
/// status (401, 404, 413) and nothing else. These errors come from
/// configuration — a secret that cannot be read or used.
public struct WebhookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A secret file could not be read.
        public static let unreadableSecret = Code("unreadable secret")
        /// A secret is empty, too large, or not of the form its provider
        /// needs (``WebhookProvider/generic`` needs `whsec_` and base64).
        public static let invalidSecret = Code("invalid secret")
        /// A setting is out of its range.
        public static let invalidConfiguration = Code("invalid configuration")

        public var description: String { name }
    }

    /// What went wrong.
    public var code: Code
    /// What went wrong and what to do; never a secret.
    public var message: String

    /// An error with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
