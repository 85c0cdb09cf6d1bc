/// An error of a ``ResourceStore``.
///
/// It names the file concerned (``path``) and, when the file does not read
/// or decode, the place in it (``location``): its description reads
/// `resources/ns/Kind/ab/name.yaml:3:7: spec.replicas: …`, the way
/// compilers print a position. The error it wraps (a `CodecError`, a
/// `DecodingError`, an `EncodingError`) stays reachable as ``cause``.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A resource file is not valid YAML or not a resource of the store's type.
        public static let invalidDocument = Code("invalid document")
        /// An entry of the tree where a resource file or a folder of
        /// resources should be is something Giter never reads: a symbolic
        /// link or a gitlink (submodule), or a kind folder whose name differs
        /// from the store's kind only in case (the two are one folder on a
        /// case-insensitive file system).
        public static let invalidEntry = Code("invalid entry")
        /// The revision is not in the repository.
        public static let unknownRevision = Code("unknown revision")
        /// A value could not be encoded.
        public static let encoding = Code("encoding failed")
        /// The branch moved to a history that does not contain the last
        /// commit checked, or does not descend from the trusted anchor: the
        /// store refuses it and keeps serving the state it had.
        public static let historyRefused = Code("history refused")

        /// The branch's lock file on the remote stayed held through
        /// ``RetryPolicy/lockPatience``: nothing was written. The message
        /// names the lock file and, for a repository on this machine, the
        /// `giter unlock` command that removes it.
        public static let branchLocked = Code("branch locked")

        /// A value of an `x-giter-encrypted` field does not open with the
        /// store's ``StoreOptions/fieldKeys``: no key for it, the wrong key,
        /// or a value altered or moved from another field or resource (the
        /// cause is the ``EncryptionError``); or the field holds no envelope,
        /// or the opened value is not valid against the definition (the
        /// message names the field and the rule, never the value).
        public static let encryptedField = Code("encrypted field")

        /// The resource is outside the store's ``StoreOptions/scope``: the
        /// store neither reads nor writes it (its history is not checked
        /// file by file there).
        public static let outOfScope = Code("out of scope")

        /// A store answered a part of its changes that does not move past
        /// the key it was asked to start after
        /// (``ResourceStore/changes(since:after:limit:)``): a defect of that store.
        public static let invalidPart = Code("invalid part")

        public var description: String { name }
    }

    /// What went wrong.
    public var code: Code
    /// The repository path concerned, if any.
    public var path: String?
    /// Where in the file at ``path`` the problem is, when known: the
    /// position of a syntax error, or of the value that did not decode.
    public var location: SourceLocation?
    /// What happened and what to do.
    public var message: String
    /// The error this one wraps, when there is one: a `CodecError` for text
    /// that does not parse, a `DecodingError` for a value that does not fit
    /// the resource type, an `EncodingError`.
    ///
    /// Not part of equality or hashing: two store errors are equal when they
    /// say the same thing about the same place.
    public var cause: (any Error)?

    /// An error from its parts.
    public init(
        _ code: Code, path: String? = nil, location: SourceLocation? = nil, _ message: String, cause: (any Error)? = nil
    ) {
        self.code = code
        self.path = path
        self.location = location
        self.message = message
        self.cause = cause
    }

    /// Whether the error is the resource file's own: the file at ``path``
    /// cannot be read as a resource of the store's type, and stays so until
    /// it changes — retrying cannot help.
    ///
    /// Either the file is *unreadable* — not one YAML mapping, over
    /// ``StoreOptions/maxFileBytes``, or not a regular file (a symbolic link,
    /// a gitlink) — or it is *invalid*: it reads as YAML but does not decode
    /// as the resource (codes ``Code/invalidDocument`` and
    /// ``Code/invalidEntry``). Every reader and writer of Giter decides
    /// "the file is broken, not the read" by this property alone.
    public var isFileError: Bool {
        code == .invalidDocument || code == .invalidEntry
    }

    /// `PATH:LINE:COLUMN: MESSAGE`; the parts that are unknown are left out.
    public var description: String {
        let place = [path, location?.description].compactMap { $0 }.joined(separator: ":")
        return place.isEmpty ? message : "\(place): \(message)"
    }

    public static func == (lhs: StoreError, rhs: StoreError) -> Bool {
        lhs.code == rhs.code && lhs.path == rhs.path && lhs.location == rhs.location && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(path)
        hasher.combine(location)
        hasher.combine(message)
    }
}
