/// The history of an exchange branch as its contract allows it: walks the
/// branch's commits in order, judges each with ``ContractChecker`` against
/// the contract in force at its parent, and keeps the *state in force*.
///
/// The state in force is the commit's tree with every violating commit's
/// changes undone: a violating commit changes nothing, for good, and every
/// later commit is judged against the files as they stood. A forge and its
/// revert are both visible (the forge is the violation; the revert changes
/// nothing in force); an honest party's next write, made from the state in
/// force, moves past a forge.
///
/// Used by the store (every fetched commit), `giter verify` and the
/// server's guard, so the three agree by construction.
public struct ExchangeLedger: Sendable {
    /// The version of the rules ``ContractChecker`` applies. A store whose check
    /// point was made under another version checks the history again from
    /// its anchor. 1: the per-section ownership check before contracts.
    /// 2: contracts and signatures. 3: symbolic links and gitlinks refused,
    /// also when archived as regular files. 4: fencing tokens (a commit whose
    /// `Giter-Lease` token is lower than one accepted before is refused).
    public static let rulesVersion = 4

    /// How far the history is checked, and where the files in force differ from that commit's tree.
    public struct State: Sendable, Hashable {
        /// The last commit judged (or the trusted commit the walk started from).
        public var commit: ObjectID
        /// Path → the blob in force (`nil`: the file is absent in force) for
        /// every path where that differs from `commit`'s tree.
        public var pins: [String: ObjectID?]
        /// The highest fencing token accepted so far, per lease name
        /// (see ``FencingToken``): a pure function of the history checked.
        public var fences: [String: UInt64]

        public init(commit: ObjectID, pins: [String: ObjectID?] = [:], fences: [String: UInt64] = [:]) {
            self.fences = fences
            self.commit = commit
            self.pins = pins
        }

        /// The blob in force at `path`, given the blob `id` the commit's tree has there.
        public func blob(at path: String, tree id: ObjectID?) -> ObjectID? {
            if let index = pins.index(forKey: path) { return pins[index].value }
            return id
        }
    }

    let reader: any RepositoryReader
    let roles: RoleAssignments
    /// Checks OpenPGP signatures.
    let gpg: GPGVerifier
    public private(set) var state: State
    /// The contract last read, by the ids of its files; `commit`: a commit
    /// of the chain where it is known to be in force without listing `.giter/`.
    private var cached: (files: [String: ObjectID], contract: Result<Contract, ContractError>, commit: ObjectID?)?
    /// Resource files parsed in this process, shared with a store (see ``DocumentCache``).
    var documents: DocumentCache?
    /// The files this ledger reads (``ReadScope``): a commit that changes
    /// only files outside it is judged on what needs no file's contents
    /// (its author, signature, parents and fencing token), and its changes
    /// are taken as they are. ``ReadScope/everything`` (the default): every
    /// commit is judged whole, as `giter verify` and the guard judge it.
    public var scope: ReadScope = .everything
    /// The last commit advanced over, from the commit before it, and the changes between their trees.
    private(set) var lastChanges: (from: ObjectID, to: ObjectID, changes: [PathChange])?

    /// A ledger that continues from `state`, trusting what it holds. `roles`
    /// decide for an open exchange (no policy); `gpg` checks OpenPGP signatures.
    public init(reader: any RepositoryReader, roles: RoleAssignments = .open, state: State, gpg: GPGVerifier = .shared) {
        self.reader = reader
        self.roles = roles
        self.state = state
        self.gpg = gpg
    }

    /// Who signed `commit`, whose first parent must be the state's commit,
    /// by the contract in force; `nil` when that contract cannot be read.
    public mutating func signatureVerdict(of commit: CommitInfo) async throws -> SignatureVerdict? {
        guard case .success(let contract) = try await contract() else { return nil }
        return try await ContractChecker(contract: contract, reader: reader, gpg: gpg).signatureVerdict(of: commit)
    }

    /// The contract in force at the current state, or why it cannot be read.
    public mutating func contract() async throws -> Result<Contract, ContractError> {
        if let cached, cached.commit == state.commit { return cached.contract }
        var files: [String: ObjectID] = [:]
        for entry in try await reader.treeEntries(at: state.commit, under: Contract.folder) where Contract.isContractFile(entry.path) {
            guard entry.mode.isFile || state.pins[entry.path] != nil else {
                // Never read through a link: a contract that cannot be read allows nothing.
                let failure = ContractError(
                    file: entry.path, location: nil,
                    message: "\(StoreError.describe(entry.mode)) (mode \(entry.mode)) stands where a contract file should be; "
                        + "the contract is read only from regular files")
                return .failure(failure)
            }
            files[entry.path] = entry.id
        }
        for (path, id) in state.pins where Contract.isContractFile(path) {
            files[path] = id
        }
        if let cached, cached.files == files {
            self.cached?.commit = state.commit
            return cached.contract
        }
        var contents: [String: [UInt8]] = [:]
        try await reader.fetchMissingBlobs(Array(files.values))
        for (path, id) in files { contents[path] = try await reader.blob(id) }
        let contract: Result<Contract, ContractError>
        do {
            contract = .success(try Contract.load(files: contents, roles: roles))
        } catch {
            contract = .failure(error)
        }
        cached = (files, contract, state.commit)
        return contract
    }

    /// Judges `commit`, whose first parent must be the state's commit, and
    /// moves the state past it.
    ///
    /// - Returns: the commit's violations; empty when it is in force.
    /// - Throws: when an object cannot be read (nothing moves then).
    @discardableResult
    public mutating func advance(over commit: CommitInfo, push: ContractChecker.Push? = nil) async throws -> [ContractViolation] {
        try await advance(over: commit, push: push, written: [:])
    }

    /// ``advance(over:push:)`` for a commit whose ``signatureVerdict(of:)``
    /// this ledger just gave (`verdict`, from the same state), so that the
    /// signature is not checked twice — what `giter verify` does to print
    /// each commit's signer.
    @discardableResult
    public mutating func advance(over commit: CommitInfo, verdict: SignatureVerdict?) async throws -> [ContractViolation] {
        try await advance(over: commit, push: nil, written: [:], verdict: verdict)
    }

    /// ``advance(over:push:)`` for a commit whose files at some paths are
    /// known without reading them: `written`, path → the bytes a store just
    /// committed there.
    mutating func advance(
        over commit: CommitInfo, push: ContractChecker.Push? = nil, written: [String: [UInt8]], verdict: SignatureVerdict? = nil
    ) async throws -> [ContractViolation] {
        precondition(commit.parents.first == state.commit, "the ledger walks the first-parent chain")
        let actual = try await reader.changes(from: state.commit, to: commit.id, under: nil)
        var known: [ObjectID: [UInt8]] = [:]
        for change in actual {
            if let id = change.newID, let bytes = written[change.path] { known[id] = bytes }
        }
        var judged: [PathChange] = []
        for change in actual {
            let inForce = state.blob(at: change.path, tree: change.oldID)
            guard inForce != change.newID else { continue }
            var effective = change
            effective.oldID = inForce
            judged.append(effective)
        }
        // A commit that touches the scope is judged whole; one that does not, on what needs no contents.
        let read = judged.contains { scope.contains(path: $0.path) } ? judged : []
        var violations: [ContractViolation]
        let before = try await contract()
        switch before {
        case .success(let contract):
            try await reader.fetchMissingBlobs(files(of: read, except: known))
            await prefetch(read, into: &known)
            violations = try await ContractChecker(
                contract: contract, read: { [reader] in try await reader.blob($0) },
                commitObject: { [reader] in try await reader.commitObject($0) }, gpg: gpg, documents: documents, known: known
            )
            .violations(of: commit, changes: read, push: push, verdict: verdict)
        case .failure(let error):
            violations = [
                ContractViolation(
                    commit: commit.id, path: error.file, rule: .contract,
                    message: "the contract in force cannot be read, so nothing can be allowed: \(error)", location: error.location)
            ]
        }
        let tokens = fencingCheck(commit, &violations)
        var inForce = state
        inForce.commit = commit.id
        for change in actual { inForce.pins[change.path] = nil }
        if violations.isEmpty, judged.contains(where: { Contract.isContractFile($0.path) }) {
            var after = self
            after.state = inForce
            switch try await after.contract() {
            case .failure(let error):
                violations.append(
                    ContractViolation(
                        commit: commit.id, path: error.file, rule: .contract,
                        message: "the change leaves a contract Giter cannot read: \(error.message)", location: error.location))
            case .success(let new):
                if case .success(let old) = before, let problem = Self.rebinding(from: old.policy, to: new.policy) {
                    violations.append(ContractViolation(commit: commit.id, path: ExchangePolicy.path, rule: .contract, message: problem))
                } else {
                    cached = after.cached
                }
            }
        }
        var next = state
        next.commit = commit.id
        if violations.isEmpty {
            next = inForce
            for token in tokens { next.fences[token.lease] = max(next.fences[token.lease] ?? 0, token.generation) }
        } else {
            // Nothing of the commit is in force: each path keeps what it had.
            for change in actual {
                if let index = next.pins.index(forKey: change.path) {
                    if next.pins[index].value == change.newID { next.pins.remove(at: index) }
                } else {
                    next.pins[change.path] = .some(change.oldID)
                }
            }
        }
        // The contract's files in force move only with a change to one of them.
        let contractKept = !actual.contains { Contract.isContractFile($0.path) }
        if contractKept, cached?.commit == state.commit { cached?.commit = commit.id }
        lastChanges = (state.commit, commit.id, actual)
        state = next
        return violations
    }

    /// Why a policy change from `old` to `new` is refused for its
    /// encryption keys: an id that both list must keep its public key, or
    /// values sealed under that id would silently change recipients (a
    /// producer keeps an unchanged value's envelope when the key ids
    /// match). Rotation gives the new key a new id. `nil`: no rebinding.
    static func rebinding(from old: ExchangePolicy?, to new: ExchangePolicy?) -> String? {
        guard let old, let new else { return nil }
        var before: [String: [UInt8]] = [:]
        for key in old.parties.flatMap(\.members).flatMap(\.encryptionKeys) { before[key.id] = key.publicKey }
        for key in new.parties.flatMap(\.members).flatMap(\.encryptionKeys) {
            if let was = before[key.id], was != key.publicKey {
                return "the encryption key id \(key.id) is bound to another public key: an id keeps its key; "
                    + "rotate by adding the new key under a new id and removing the old entry"
            }
        }
        return nil
    }

    /// The blobs of the regular files `changes` hold (before and after)
    /// that are neither in `known` nor parsed already: what a check of them
    /// reads, for a partial mirror to download in one request. Stops after
    /// the change that brings the list to `limit`.
    private func files(of changes: [PathChange], except known: [ObjectID: [UInt8]], limit: Int = .max) -> [ObjectID] {
        var wanted: [ObjectID] = []
        var seen: Set<ObjectID> = []
        for change in changes {
            let files = [
                change.oldMode?.isFile == true ? change.oldID : nil, change.newMode?.isFile == true ? change.newID : nil,
            ]
            for case let id? in files where known[id] == nil && documents?[id] == nil && seen.insert(id).inserted {
                wanted.append(id)
            }
            if wanted.count >= limit { break }
        }
        return wanted
    }

    /// The most files ``prefetch(_:into:)`` reads for one commit; the
    /// check reads the rest one by one, so memory stays bounded.
    static let prefetchLimit = 1_024

    /// Reads, in one ``RepositoryReader/blobs(_:)`` call, the regular
    /// files of `changes` (before and after) that are neither known nor
    /// parsed already, into `known`, so that the check does not read them
    /// one call at a time. When that read fails, nothing is added: the
    /// check reads each file itself and says what is wrong, as before.
    private func prefetch(_ changes: [PathChange], into known: inout [ObjectID: [UInt8]]) async {
        let wanted = files(of: changes, except: known, limit: Self.prefetchLimit)
        guard wanted.count > 1, let contents = try? await reader.blobs(wanted) else { return }
        for (id, bytes) in zip(wanted, contents) { known[id] = bytes }
    }

    /// A ledger at the branch's first commit, `root`, which becomes the
    /// history's anchor. A root that holds a policy is trusted as it stands:
    /// it is where the contract starts. A root without one is judged like
    /// any commit of an open exchange (``RoleAssignments``), against an
    /// empty tree, so a forged first commit of an open exchange is no more
    /// in force than a later one.
    public static func starting(
        at root: CommitInfo, reader: any RepositoryReader, roles: RoleAssignments = .open, push: ContractChecker.Push? = nil
    ) async throws -> (ledger: ExchangeLedger, violations: [ContractViolation]) {
        let ledger = ExchangeLedger(reader: reader, roles: roles, state: State(commit: root.id))
        let files = try await reader.changes(from: nil, to: root.id, under: nil)
        if files.contains(where: { $0.path == ExchangePolicy.path }) { return (ledger, []) }
        try await reader.fetchMissingBlobs(files.compactMap { $0.newMode?.isFile == true ? $0.newID : nil })
        let violations = try await ContractChecker(contract: .open(roles: roles), reader: reader)
            .violations(of: root, changes: files, push: push)
        guard !violations.isEmpty else { return (ledger, []) }
        var pins: [String: ObjectID?] = [:]
        for file in files { pins[file.path] = .some(nil) }
        return (ExchangeLedger(reader: reader, roles: roles, state: State(commit: root.id, pins: pins)), violations)
    }

    /// The first-parent chain from `new` back to `old`, oldest first: the
    /// commits a linear history adds. `nil` when `old` is not on it (a
    /// rewritten history). With `old` `nil`, the chain from the root.
    public static func chain(from new: ObjectID, to old: ObjectID?, reader: any RepositoryReader) async throws -> [CommitInfo]? {
        if new == old { return [] }
        let listed = try await reader.commits(from: new, excluding: old, limit: nil)
        var byID: [ObjectID: CommitInfo] = [:]
        for commit in listed { byID[commit.id] = commit }
        var chain: [CommitInfo] = []
        var next: ObjectID? = new
        while let id = next, id != old {
            guard let commit = byID[id] else { return nil }
            chain.append(commit)
            next = commit.parents.first
        }
        if next != old { return nil }
        return chain.reversed()
    }

    /// Adds a violation when `commit` carries a malformed fencing token or
    /// one lower than the highest accepted before for its lease; returns
    /// the tokens it carries.
    private func fencingCheck(_ commit: CommitInfo, _ violations: inout [ContractViolation]) -> [FencingToken] {
        switch FencingToken.tokens(of: commit) {
        case .failure(let error):
            violations.append(ContractViolation(commit: commit.id, path: nil, rule: .fencing, message: error.message))
            return []
        case .success(let tokens):
            for token in tokens {
                if let highest = state.fences[token.lease], token.generation < highest {
                    violations.append(
                        ContractViolation(
                            commit: commit.id, path: nil, rule: .fencing,
                            message: "written under generation \(token.generation) of the lease \(token.lease), and the "
                                + "history already holds generation \(highest): a replica that lost the lease wrote it; "
                                + "its writes are ignored"))
                }
            }
            return tokens
        }
    }
}
