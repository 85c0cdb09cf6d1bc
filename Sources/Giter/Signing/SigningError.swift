/// A failure to read a key, to sign or to verify a signature.
///
/// A signature that does not verify is not an error: verifiers answer it
/// with a value. This error is for what stops signing or checking from
/// happening at all: an unreadable key, an unreachable `ssh-agent`, a
/// `gpg` that cannot be run.
public struct SigningError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidKey, unsupportedKey, encryptedKey, invalidSignature, agent, gpg, io
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A key file or key line that cannot be read.
        public static let invalidKey = Code(.invalidKey)
        /// A key of an algorithm or size Giter does not sign or verify with.
        public static let unsupportedKey = Code(.unsupportedKey)
        /// A private key protected by a passphrase: load it into `ssh-agent`.
        public static let encryptedKey = Code(.encryptedKey)
        /// A signature that cannot be read at all (not one that fails to verify).
        public static let invalidSignature = Code(.invalidSignature)
        /// `ssh-agent` could not be reached, or refused to sign.
        public static let agent = Code(.agent)
        /// The `gpg` executable failed or could not be run.
        public static let gpg = Code(.gpg)
        /// A file could not be read or written.
        public static let io = Code(.io)

        public var description: String {
            switch base {
            case .invalidKey: "invalid key"
            case .unsupportedKey: "unsupported key"
            case .encryptedKey: "encrypted key"
            case .invalidSignature: "invalid signature"
            case .agent: "ssh-agent failure"
            case .gpg: "gpg failure"
            case .io: "input/output failure"
            }
        }
    }

    public var code: Code
    /// What failed and what to do about it.
    public var message: String
    /// The underlying error, when there is one.
    public var underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        guard let underlying else { return "\(code): \(message)" }
        return "\(code): \(message) (\(underlying))"
    }
}
