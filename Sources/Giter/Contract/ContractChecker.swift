import GiterCodec

/// The one check of the exchange's rules: what a commit may change, given
/// the contract in force at its parent.
///
/// It is a function of its inputs — the contract, the commit, the changes
/// it makes to the files as they stood (see ``ExchangeLedger`` for "as they
/// stood") and the contents of those files — and says no whenever it cannot
/// decide. The store, `giter verify` and the server's guard all call it.
public struct ContractChecker: Sendable {
    /// Who pushed, as a server tells its hook; `nil` when it does not say.
    public struct Push: Sendable, Hashable {
        public var user: String?
        public init(user: String?) { self.user = user }
    }

    /// The contract in force at the commit's parent.
    public let contract: Contract
    /// Reads a blob's contents.
    let read: @Sendable (ObjectID) async throws -> [UInt8]
    /// Resource files already parsed in this process, and where the files this check parses are kept.
    let documents: DocumentCache?
    /// Contents known without reading them: the files a store just wrote, by blob id.
    let known: [ObjectID: [UInt8]]
    /// Reads a commit object, for its signature; `nil`: signatures cannot be checked.
    let commitObject: (@Sendable (ObjectID) async throws -> CommitObject)?
    /// Checks OpenPGP signatures.
    let gpg: GPGVerifier

    /// A checker reading blobs with `read` and commit objects (for their
    /// signatures) with `commitObject`. Without `commitObject`, a policy
    /// that requires signatures refuses every commit.
    public init(
        contract: Contract, read: @escaping @Sendable (ObjectID) async throws -> [UInt8],
        commitObject: (@Sendable (ObjectID) async throws -> CommitObject)? = nil, gpg: GPGVerifier = .shared
    ) {
        self.init(contract: contract, read: read, commitObject: commitObject, gpg: gpg, documents: nil)
    }

    /// A checker reading blobs and commit objects from `reader`.
    public init(contract: Contract, reader: any RepositoryReader, gpg: GPGVerifier = .shared) {
        self.init(
            contract: contract, read: { try await reader.blob($0) }, commitObject: { try await reader.commitObject($0) }, gpg: gpg,
            documents: nil)
    }

    init(
        contract: Contract, read: @escaping @Sendable (ObjectID) async throws -> [UInt8],
        commitObject: (@Sendable (ObjectID) async throws -> CommitObject)?, gpg: GPGVerifier = .shared, documents: DocumentCache?,
        known: [ObjectID: [UInt8]] = [:]
    ) {
        self.contract = contract
        self.read = read
        self.commitObject = commitObject
        self.gpg = gpg
        self.documents = documents
        self.known = known
    }

    /// The violations of `commit`, whose changes to the files as they stood
    /// before it are `changes` (old id: the file as it stood; new id: the
    /// commit's). `push`: checked on a server, which may know the pusher.
    ///
    /// Under ``ExchangePolicy/requireSignatures``, the commit is judged with
    /// the parties whose entry for the author lists the signing key only.
    ///
    /// - Throws: only when a blob or the commit object cannot be read (a
    ///   check that cannot read cannot decide: the caller refuses the commit
    ///   or stops).
    public func violations(of commit: CommitInfo, changes: [PathChange], push: Push? = nil) async throws -> [ContractViolation] {
        try await violations(of: commit, changes: changes, push: push, verdict: nil)
    }

    /// ``violations(of:changes:push:)`` with the commit's ``signatureVerdict(of:)``
    /// already known (`verdict`, made under this contract), so it is not checked twice.
    func violations(
        of commit: CommitInfo, changes: [PathChange], push: Push?, verdict knownVerdict: SignatureVerdict?
    ) async throws -> [ContractViolation] {
        if commit.parents.count > 1 {
            return [whole(commit, .mergeCommit, "a merge commit: the exchange branch is linear; rebase the commits onto the branch instead")]
        }
        var parties: [ExchangePolicy.Party]
        if let policy = contract.policy {
            parties = policy.parties(of: commit.author.email)
            if parties.isEmpty {
                return [whole(commit, .notAMember, "\(commit.author.email) is a member of no party of \(ExchangePolicy.path)")]
            }
            if let push, let problem = pusherProblem(push, parties: parties, email: commit.author.email) {
                return [whole(commit, .pusher, problem)]
            }
            if policy.requireSignatures {
                let verdict: SignatureVerdict
                if let knownVerdict { verdict = knownVerdict } else { verdict = try await signatureVerdict(of: commit) }
                if let problem = verdict.problem(author: commit.author.email) { return [whole(commit, .signature, problem)] }
                // A key speaks for the parties that list it: the author's other parties do not count.
                let signing = Set(verdict.signers(author: commit.author.email).map(\.party))
                parties = parties.filter { signing.contains($0.name) }
            }
        } else if let role = contract.roles.role(of: commit) {
            parties = [ExchangePolicy.Party(name: role.rawValue, role: role == .producer ? .producer : .consumer, members: [])]
        } else {
            parties = []
        }
        var files = FileReader(read: read, known: known)
        var result: [ContractViolation] = []
        for var change in changes where change.oldID != change.newID {
            // A symbolic link or a gitlink is never read, so never judged by what it points to: refused for its mode.
            if let mode = change.newMode, change.newID != nil, !mode.isFile {
                result.append(
                    violation(
                        commit, change.path, .path,
                        "only regular files are exchanged, not mode \(mode) (\(StoreError.describe(mode))): "
                            + "replace it with a regular file or remove it"))
                continue
            }
            // What stood there before and was not a regular file held no resource.
            if let mode = change.oldMode, change.oldID != nil, !mode.isFile { change.oldID = nil }
            var first: [ContractViolation]?
            if parties.isEmpty {
                // An open exchange: an author with no role may write outside resources only.
                if ChangedPath(change.path).isResourceData {
                    first = [violation(commit, change.path, .notAMember, "\(commit.author.email) holds no role in this exchange")]
                }
            }
            for party in parties {
                let found = try await judge(change, in: changes, by: party, commit: commit, files: &files)
                if found.isEmpty {
                    first = nil
                    break
                }
                if first == nil { first = found }
            }
            result += first ?? []
        }
        return result
    }

    private func pusherProblem(_ push: Push, parties: [ExchangePolicy.Party], email: String) -> String? {
        let allowed = Set(parties.compactMap { $0.member(email: email) }.flatMap(\.pushers))
        guard !allowed.isEmpty else { return nil }
        guard let user = push.user else {
            return "the policy names who may push \(email)'s commits, and the server did not say who pushed"
        }
        guard allowed.contains(user) else {
            return "\(user) may not push \(email)'s commits (pushers: \(allowed.sorted().joined(separator: ", ")))"
        }
        return nil
    }

    func whole(_ commit: CommitInfo, _ rule: ContractViolation.Rule, _ message: String) -> ContractViolation {
        ContractViolation(commit: commit.id, path: nil, rule: rule, message: message)
    }

    func violation(
        _ commit: CommitInfo, _ path: String, _ rule: ContractViolation.Rule, _ message: String, at location: SourceLocation? = nil
    ) -> ContractViolation {
        ContractViolation(commit: commit.id, path: path, rule: rule, message: message, location: location)
    }
}

/// Where a changed path sits in the exchange's layout.
enum ChangedPath {
    case resource(ResourceKey)
    case archive(ResourceKey)
    /// `.giter/**` or `README.md`.
    case administration
    case other

    init(_ path: String) {
        if let key = ResourceKey(repositoryPath: path) {
            self = .resource(key)
        } else if let key = ResourceKey(archivePath: path) {
            self = .archive(key)
        } else if path == "README.md" || path.hasPrefix(Contract.folder + "/") {
            self = .administration
        } else {
            self = .other
        }
    }

    /// Whether the path holds a resource, live or archived.
    var isResourceData: Bool {
        switch self {
        case .resource, .archive: true
        case .administration, .other: false
        }
    }
}

/// Blob contents read once per check.
struct FileReader {
    let read: @Sendable (ObjectID) async throws -> [UInt8]
    var cache: [ObjectID: [UInt8]]

    init(read: @escaping @Sendable (ObjectID) async throws -> [UInt8], known: [ObjectID: [UInt8]] = [:]) {
        self.read = read
        self.cache = known
    }

    mutating func bytes(_ id: ObjectID) async throws -> [UInt8] {
        if let cached = cache[id] { return cached }
        let bytes = try await read(id)
        cache[id] = bytes
        return bytes
    }
}
