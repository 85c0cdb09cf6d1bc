/// Why a field could not be sealed or opened, or a key not read.
///
/// ``description`` says what to do.
public struct EncryptionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; extensible.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A key, key id or key file that is malformed.
        public static let invalidKey = Code("invalid key")
        /// The value's envelope is malformed.
        public static let malformed = Code("malformed envelope")
        /// The reader holds no key the envelope is sealed for.
        public static let missingKey = Code("missing key")
        /// A key the envelope names does not open it: the wrong key under
        /// that id, a tampered envelope, or one moved from another field or resource.
        public static let notOpened = Code("not opened")
        /// The policy names no recipient for a resource with encrypted fields.
        public static let noRecipients = Code("no recipients")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
