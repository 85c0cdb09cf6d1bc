extension PushGuard {
    /// The guard's rule for an exchange branch (`refs/heads/giter/x/<group>`,
    /// see ``ExchangeBranches``), which no `spec.refs` needs to list:
    ///
    /// - a new branch starts from a commit of the main branch that holds
    ///   the contract (a file under `.giter/`), and its commits after that
    ///   base form one line;
    /// - an update is a fast-forward along one line, never a rewrite;
    /// - every new commit is judged by the contract at its parent, as on
    ///   the main branch, and may not change `.giter/`: the contract
    ///   changes only on the main branch;
    /// - the branch is deleted only once archived: the archive ref
    ///   `refs/giter/archive/<group>` holds its tip, on the server or in
    ///   the same push;
    /// - a group that has an archive is not started again (unless the same
    ///   push deletes the archive).
    func checkExchangeBranch(_ update: RefUpdate, _ group: ExchangeGroup, in updates: [RefUpdate]) async throws
        -> [ContractViolation]
    {
        func refused(_ rule: ContractViolation.Rule, _ commit: ObjectID?, _ message: String) -> [ContractViolation] {
            [ContractViolation(commit: commit, path: nil, rule: rule, message: "\(update.name): \(message)")]
        }
        guard let new = update.new else {
            let old = update.old
            let archive = group.archiveReference.rawValue
            let pushed = updates.first { $0.name == archive }
            var archived = pushed?.new
            if pushed == nil { archived = try await reader.resolve(archive) }
            guard let old, archived == old else {
                return refused(.history, old, "an exchange branch is deleted only once archived: point \(archive) at \(old?.short ?? "its tip") first")
            }
            if let problem = try await branchRefProblem("delete \(group.branch)") { return refused(.pusher, old, problem) }
            return []
        }
        guard let mainTip = try await reader.resolve("refs/heads/\(branch)") else {
            return refused(.history, new, "the main branch \(branch) does not exist, so no exchange branch can start from it")
        }
        let chain: [CommitInfo]
        let from: ObjectID
        if let old = update.old {
            guard let line = try await ExchangeBranchBase.line(from: old, to: new, reader: reader) else {
                return refused(.history, new, "not a linear fast-forward of \(old.short): an exchange branch is never rewritten; rebase onto it")
            }
            chain = line
            from = old
        } else {
            let archive = group.archiveReference.rawValue
            let archiveUpdate = updates.first { $0.name == archive }
            let archived = if let archiveUpdate { archiveUpdate.new } else { try await reader.resolve(archive) }
            if let archived {
                return refused(
                    .history, new,
                    "\(group) was archived at \(archived.short): starting it again would move its archive off that history; name another group")
            }
            switch try await ExchangeBranchBase.find(from: new, mainTip: mainTip, reader: reader) {
            case .failure(let problem):
                return refused(problem.rule, new, problem.message(mainBranch: branch))
            case .success(let found):
                chain = found.line
                from = found.base
            }
            // A new branch lives under the contract main has now, not an older (looser) one.
            let atBase = try await reader.treeEntries(at: from, under: Contract.folder)
            let atMain = try await reader.treeEntries(at: mainTip, under: Contract.folder)
            guard atBase.map(\.path) == atMain.map(\.path), atBase.map(\.id) == atMain.map(\.id) else {
                return refused(
                    .contract, new,
                    "its base \(from.short) holds another contract than the tip of \(branch) (\(mainTip.short)): "
                        + "start an exchange branch from a commit whose \(Contract.folder)/ is the main branch's current one")
            }
        }
        var ledger = ExchangeLedger(reader: reader, state: ExchangeLedger.State(commit: from))
        var violations: [ContractViolation] = []
        let push = ContractChecker.Push(user: pusher)
        var leases: [String: LeaseRecord?] = [:]
        var parent = from
        for commit in chain {
            violations += try await fencingViolations(of: commit, leases: &leases)
            for path in try await ExchangeBranchBase.contractChanges(of: commit.id, parent: parent, reader: reader) {
                violations.append(
                    ContractViolation(
                        commit: commit.id, path: path, rule: .contract,
                        message: "the contract changes only on the main branch \(branch), never on the exchange branch \(group.branch)"))
            }
            violations += try await ledger.advance(over: commit, push: push)
            parent = commit.id
        }
        return violations
    }

    /// The guard's rule for an archive ref (`refs/giter/archive/<group>`):
    /// it points at the tip of the group's branch — as the server holds it,
    /// or as the same push moves it — so only a commit the guard judged is
    /// ever archived, and an archive that moves moves forward (to a
    /// descendant), never off the history it holds. Deleting it is the retention policy's work
    /// (``ExchangeBranches/collect(_:now:)``) and allowed.
    func checkArchive(_ update: RefUpdate, _ group: ExchangeGroup, in updates: [RefUpdate]) async throws
        -> [ContractViolation]
    {
        if let problem = try await branchRefProblem(update.new == nil ? "delete \(update.name)" : "move \(update.name)") {
            return [ContractViolation(commit: update.new ?? update.old, path: nil, rule: .pusher, message: "\(update.name): \(problem)")]
        }
        guard let new = update.new else { return [] }
        if let old = update.old, old != new, try await ExchangeLedger.chain(from: new, to: old, reader: reader) == nil {
            return [
                ContractViolation(
                    commit: new, path: nil, rule: .ref,
                    message: "\(update.name) only moves forward along its branch, and \(new.short) does not descend from \(old.short)")
            ]
        }
        let live = group.reference.rawValue
        if let pushed = updates.first(where: { $0.name == live }), pushed.new == new { return [] }
        if try await reader.resolve(live) == new { return [] }
        return [
            ContractViolation(
                commit: new, path: nil, rule: .ref,
                message: "\(update.name) must point at the tip of the exchange branch \(group.branch), and \(new.short) is not it")
        ]
    }

    /// Why the pusher may not `action` (delete an exchange branch, or
    /// create, move or delete an archive ref): these updates carry no
    /// commit whose author the contract could judge, so the server user
    /// decides. When the contract at the main branch's tip names pushers
    /// for any member, only a pusher of a producer's or an admin's member
    /// may; when it names none (or the exchange is open), who may push at
    /// all is the server's access control. `nil`: allowed.
    func branchRefProblem(_ action: String) async throws -> String? {
        guard let tip = try await reader.resolve("refs/heads/\(branch)") else {
            return "the main branch \(branch) does not exist, so no contract says who may \(action)"
        }
        var ledger = ExchangeLedger(reader: reader, state: ExchangeLedger.State(commit: tip))
        guard case .success(let contract) = try await ledger.contract() else {
            return "the contract in force cannot be read, so nobody may \(action)"
        }
        guard let policy = contract.policy, policy.parties.contains(where: { $0.members.contains { !$0.pushers.isEmpty } }) else {
            return nil
        }
        let allowed = Set(policy.parties.filter { $0.role != .consumer }.flatMap(\.members).flatMap(\.pushers))
        guard let pusher else { return "the policy names who may push, and the server did not say who pushed; nobody may \(action)" }
        guard allowed.contains(pusher) else {
            return "\(pusher) may not \(action): only the pushers of a producer's or an admin's member may "
                + "(\(allowed.sorted().joined(separator: ", ")))"
        }
        return nil
    }
}
