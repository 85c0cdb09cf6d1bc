/// The one home of the rule every exchange branch follows (see
/// ``ExchangeBranches``): its commits form one line that starts from a
/// commit of the main branch holding the contract, and none of them
/// changes `.giter/`. The server's guard (``PushGuard``) and
/// ``ExchangeBranches/verifyBase(of:)`` both ask it.
enum ExchangeBranchBase {
    /// Why a branch breaks the rule.
    enum Problem: Error, Equatable {
        /// Its first-parent line reaches a root that is not on the main branch.
        case notOnMain
        /// Its commits after `base` are not one line (a merge brought another).
        case notLinear(base: ObjectID)
        /// `base` holds no readable contract under `.giter/`.
        case noContract(base: ObjectID)

        /// The guard's rule for it.
        var rule: ContractViolation.Rule {
            switch self {
            case .notOnMain, .notLinear: .history
            case .noContract: .contract
            }
        }

        func message(mainBranch: String) -> String {
            switch self {
            case .notOnMain:
                "its base is not on the main branch \(mainBranch): start it from a commit of \(mainBranch)"
            case .notLinear(let base):
                "its commits after the base \(base.short) are not one line: an exchange branch is linear"
            case .noContract(let base):
                "its base \(base.short) holds no readable contract in \(Contract.folder)/: "
                    + "start it from a commit of \(mainBranch) that does"
            }
        }
    }

    /// The commit of the main branch (at `mainTip`) that `tip`'s line
    /// starts from, and the commits after it, oldest first.
    static func find(from tip: ObjectID, mainTip: ObjectID, reader: any RepositoryReader) async throws
        -> Result<(base: ObjectID, line: [CommitInfo]), Problem>
    {
        let walk = try await firstParents(from: tip, excluding: mainTip, reader: reader)
        guard let base = walk.stop else { return .failure(.notOnMain) }
        guard walk.isWhole else { return .failure(.notLinear(base: base)) }
        guard try await contractProblem(at: base, reader: reader) == nil else { return .failure(.noContract(base: base)) }
        return .success((base, walk.line))
    }

    /// The first-parent line from `tip` back through the commits not
    /// reachable from `excluded` (oldest first), the commit it stops at
    /// (`nil`: a root), and whether the line holds every such commit (no
    /// merge brought another line).
    private static func firstParents(from tip: ObjectID, excluding excluded: ObjectID, reader: any RepositoryReader)
        async throws -> (line: [CommitInfo], stop: ObjectID?, isWhole: Bool)
    {
        let listed = try await reader.commits(from: tip, excluding: excluded, limit: nil)
        var byID: [ObjectID: CommitInfo] = [:]
        for commit in listed { byID[commit.id] = commit }
        var line: [CommitInfo] = []
        var next: ObjectID? = tip
        while let id = next, let commit = byID[id] {
            line.append(commit)
            next = commit.parents.first
        }
        return (line.reversed(), next, line.count == listed.count)
    }

    /// Why `commit` holds no contract an exchange branch can start from
    /// (nothing under `.giter/`, or a contract that does not read); `nil`
    /// when it holds one.
    static func contractProblem(at commit: ObjectID, reader: any RepositoryReader) async throws -> String? {
        guard try await !reader.treeEntries(at: commit, under: Contract.folder).isEmpty else {
            return "nothing under \(Contract.folder)/"
        }
        var ledger = ExchangeLedger(reader: reader, state: ExchangeLedger.State(commit: commit))
        if case .failure(let error) = try await ledger.contract() { return error.message }
        return nil
    }

    /// Checks the commits after `old` up to `tip` (what a branch that was
    /// at `old` brought since): one first-parent line from `old`, none of
    /// them changing `.giter/`. Returns the commits, oldest first.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/historyRefused``
    ///   (on `branch`, and `path` when a commit changes `.giter/`) when the
    ///   line does not start at `old` (rewritten) or is not one line, or a
    ///   commit changes the contract; otherwise what `reader` throws.
    @discardableResult
    static func checkLine(
        of branch: String, from old: ObjectID, to tip: ObjectID, mainBranch: String, reader: any RepositoryReader
    ) async throws -> [CommitInfo] {
        guard let line = try await line(from: old, to: tip, reader: reader) else {
            throw StoreError(
                .historyRefused,
                "\(branch) is not an exchange branch to trust: it moved from \(old.short) to \(tip.short) "
                    + "other than by commits in one line on top of it (rewritten, or a merge)")
        }
        try await checkContractUnchanged(on: branch, line: line, after: old, mainBranch: mainBranch, reader: reader)
        return line
    }

    /// The commits after `old` up to `tip`, oldest first, when they form one
    /// first-parent line on top of `old` (a fast-forward without merges);
    /// `nil` otherwise.
    static func line(from old: ObjectID, to tip: ObjectID, reader: any RepositoryReader) async throws -> [CommitInfo]? {
        guard old != tip else { return [] }
        let walk = try await firstParents(from: tip, excluding: old, reader: reader)
        return walk.stop == old && walk.isWhole ? walk.line : nil
    }

    /// Throws when a commit of `line` (oldest first, the first one's parent
    /// `parent`) changes `.giter/`: the contract changes only on the main branch.
    static func checkContractUnchanged(
        on branch: String, line: [CommitInfo], after parent: ObjectID, mainBranch: String, reader: any RepositoryReader
    ) async throws {
        var parent = parent
        for commit in line {
            if let path = try await contractChanges(of: commit.id, parent: parent, reader: reader).first {
                throw StoreError(
                    .historyRefused, path: path,
                    "\(branch) is not an exchange branch to trust: \(commit.id.short) changes \(path); "
                        + "the contract changes only on the main branch \(mainBranch)")
            }
            parent = commit.id
        }
    }

    /// The paths under `.giter/` that `commit` (whose parent is `parent`) changes.
    static func contractChanges(of commit: ObjectID, parent: ObjectID, reader: any RepositoryReader) async throws
        -> [String]
    {
        try await reader.changes(from: parent, to: commit, under: Contract.folder).map(\.path)
    }
}
