public import GiterCodec

/// One change, or one whole commit or push, that the exchange's contract
/// does not allow.
///
/// ``description`` is the line `giter verify` prints and a server's guard
/// rejects with: `<commit> <path>: <rule>: <message>`, `-` standing for a
/// missing commit or path (a violation of the whole commit, such as a merge).
public struct ContractViolation: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which rule a violation breaks: a short, stable, kebab-case name.
    public struct Rule: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A commit with more than one parent: the exchange branch is linear.
        public static let mergeCommit = Rule(rawValue: "merge-commit")
        /// The policy requires signed commits, and this version of Giter
        /// cannot verify signatures yet: a check that cannot decide says no.
        public static let signature = Rule(rawValue: "signature")
        /// The author is a member of no party (or, with no policy, holds no role).
        public static let notAMember = Rule(rawValue: "not-a-member")
        /// The server user who pushed may not push the author's commits (`pushers:`).
        public static let pusher = Rule(rawValue: "pusher")
        /// A path no party may write (outside `resources/`, `archive/`, `.giter/` and `README.md`).
        public static let path = Rule(rawValue: "path")
        /// A party wrote outside its role: a consumer outside `status`, a
        /// producer in `status`, an admin outside `.giter/` and `README.md`,
        /// a consumer creating, deleting or archiving.
        public static let role = Rule(rawValue: "role")
        /// A resource outside the party's namespaces or kinds.
        public static let scope = Rule(rawValue: "scope")
        /// A file that cannot be proven to stay within the writer's section:
        /// it does not parse before or after, is not a mapping, or exceeds a limit.
        public static let unreadable = Rule(rawValue: "unreadable")
        /// `apiVersion`, `kind` or `metadata` break Giter's rules or do not match the path.
        public static let metadata = Rule(rawValue: "metadata")
        /// A spec or status that its CustomResourceDefinition does not allow.
        public static let schema = Rule(rawValue: "schema")
        /// A kind with no CustomResourceDefinition, under `unknownKinds: reject`.
        public static let unknownKind = Rule(rawValue: "unknown-kind")
        /// An archive file that is not the live file moved unchanged.
        public static let archive = Rule(rawValue: "archive")
        /// A change to `.giter/` that leaves a contract Giter cannot read.
        public static let contract = Rule(rawValue: "contract")
        /// A push that is not a fast-forward of the exchange branch, or deletes it.
        public static let history = Rule(rawValue: "history")
        /// A push to a ref the policy does not list.
        public static let ref = Rule(rawValue: "ref")
        /// A commit whose fencing token (`Giter-Lease` trailer) is lower than
        /// one already in the branch's history, or malformed; at the server's
        /// guard also one that is not the lease's current generation, or a
        /// lease ref update that breaks the lease rules
        /// (see `Documentation/HighAvailability.md`).
        public static let fencing = Rule(rawValue: "fencing")
    }

    /// The commit, when the violation is one commit's.
    public var commit: ObjectID?
    /// The repository path, when the violation is one file's.
    public var path: String?
    public var rule: Rule
    /// What is wrong, worded like the Kubernetes API server where a field is concerned.
    public var message: String
    /// Where in the file (the new version, or the old one for a deletion), when known.
    public var location: SourceLocation?

    public init(commit: ObjectID?, path: String?, rule: Rule, message: String, location: SourceLocation? = nil) {
        self.commit = commit
        self.path = path
        self.rule = rule
        self.message = message
        self.location = location
    }

    public var description: String {
        let place = path.map { path in location.map { "\(path):\($0)" } ?? path } ?? "-"
        return "\(commit?.hex ?? "-") \(place): \(rule): \(message)"
    }
}
