/// Who may write what in an exchange: the parties of `.giter/policy.yaml`.
///
/// ```yaml
/// apiVersion: giter.dev/v1alpha1
/// kind: ExchangePolicy
/// metadata:
///   name: exchange
/// spec:
///   parties:
///   - name: lab
///     role: producer
///     namespaces: ["lab", "team-*"]
///     kinds: ["Experiment"]
///     members:
///     - email: alice@lab.example
///   requireSignatures: false
///   unknownKinds: reject
/// ```
///
/// The policy in force for a commit is the one in its parent's tree, so a
/// commit can never authorise itself. See `Documentation/Contract.md`.
public struct ExchangePolicy: Sendable, Hashable {
    /// What a party writes.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        /// Resources' `apiVersion`, `kind`, `metadata` and `spec`; creates, archives and deletes them.
        case producer
        /// Resources' `status`, and nothing else.
        case consumer
        /// `.giter/**` and `README.md`, and nothing else.
        case admin
    }

    /// What a kind with no definition in `.giter/crds/` means.
    public enum UnknownKinds: String, Sendable, Hashable {
        /// Writes of such a kind are violations.
        case reject
        /// Such a kind is written without a schema.
        case allow
    }

    /// One person or machine of a party, known by the e-mail address of its commits.
    public struct Member: Sendable, Hashable {
        /// The author e-mail address of the member's commits (compared ignoring ASCII case).
        public var email: String
        /// The public keys the member signs commits with. With
        /// ``ExchangePolicy/requireSignatures``, a commit is attributed to the
        /// member whose key signed it.
        public var signingKeys: [SigningKey]
        /// The server users (gitolite's `GL_USER`, a web server's `REMOTE_USER`) allowed to push
        /// this member's commits; empty: any.
        public var pushers: [String]
        /// The X25519 public keys values of `x-giter-encrypted` fields are
        /// sealed for, when the member's party covers the resource; after a
        /// rotation, the new key only (see `Documentation/Encryption.md`).
        public var encryptionKeys: [EncryptionKey]

        public init(
            email: String, signingKeys: [SigningKey] = [], pushers: [String] = [], encryptionKeys: [EncryptionKey] = []
        ) {
            self.email = email
            self.signingKeys = signingKeys
            self.pushers = pushers
            self.encryptionKeys = encryptionKeys
        }
    }

    /// A group of members with one role over some namespaces and kinds.
    public struct Party: Sendable, Hashable {
        /// A DNS-1123 label.
        public var name: String
        public var role: Role
        /// Globs (`*`, `?`) over namespaces; default `["*"]`.
        public var namespaces: [String]
        /// Globs over kinds; default `["*"]`.
        public var kinds: [String]
        public var members: [Member]

        public init(name: String, role: Role, namespaces: [String] = ["*"], kinds: [String] = ["*"], members: [Member]) {
            self.name = name
            self.role = role
            self.namespaces = namespaces
            self.kinds = kinds
            self.members = members
        }

        /// Whether the party's namespaces and kinds cover `key`.
        public func covers(_ key: ResourceKey) -> Bool {
            namespaces.contains { Glob.matches($0, key.namespace) } && kinds.contains { Glob.matches($0, key.kind) }
        }

        /// The member with `email`, ignoring ASCII case.
        public func member(email: String) -> Member? {
            let wanted = email.lowercasedASCII
            return members.first { $0.email.lowercasedASCII == wanted }
        }
    }

    /// The parties, in the order written.
    public var parties: [Party]
    /// Whether every commit must carry a good signature by a key of its
    /// author: a key this policy lists under the member whose e-mail is the
    /// commit's author. See `Documentation/Signing.md`.
    public var requireSignatures: Bool
    public var unknownKinds: UnknownKinds
    /// Globs of refs other than the exchange branch a server accepts pushes to (for example
    /// `refs/tags/*`); default none.
    public var refs: [String]

    public init(parties: [Party], requireSignatures: Bool = false, unknownKinds: UnknownKinds = .reject, refs: [String] = []) {
        self.parties = parties
        self.requireSignatures = requireSignatures
        self.unknownKinds = unknownKinds
        self.refs = refs
    }

    /// The keys a value of an `x-giter-encrypted` field of `key` is sealed
    /// for: the ``Member/encryptionKeys`` of every member of a producer or
    /// consumer party covering `key`, in the policy's order, each id once.
    public func encryptionRecipients(for key: ResourceKey) -> [EncryptionKey] {
        var seen: Set<String> = []
        var keys: [EncryptionKey] = []
        for party in parties where party.role != .admin && party.covers(key) {
            for member in party.members {
                for encryptionKey in member.encryptionKeys where seen.insert(encryptionKey.id).inserted {
                    keys.append(encryptionKey)
                }
            }
        }
        return keys
    }

    /// The parties `email` is a member of, in order.
    public func parties(of email: String) -> [Party] {
        parties.filter { $0.member(email: email) != nil }
    }

    /// The policy `giter init --admin` writes: one admin party with one member.
    public static func adminOnly(name: String, email: String) -> ExchangePolicy {
        ExchangePolicy(parties: [Party(name: "admins", role: .admin, members: [Member(email: email)])])
    }
}

extension String {
    var lowercasedASCII: String {
        String(decoding: utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
