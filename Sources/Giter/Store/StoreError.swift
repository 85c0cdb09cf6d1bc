/// An error of a ``ResourceStore``.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A resource file is not valid YAML or not a resource of the store's type.
        public static let invalidDocument = Code("invalid document")
        /// The revision is not in the repository.
        public static let unknownRevision = Code("unknown revision")
        /// A value could not be encoded.
        public static let encoding = Code("encoding failed")

        public var description: String { name }
    }

    /// What went wrong.
    public var code: Code
    /// The repository path concerned, if any.
    public var path: String?
    /// What happened and what to do.
    public var message: String

    /// An error from its parts.
    public init(_ code: Code, path: String? = nil, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// `PATH: MESSAGE` (the message of a codec error starts with `LINE:COLUMN:`).
    public var description: String {
        guard let path else { return message }
        return "\(path): \(message)"
    }
}
