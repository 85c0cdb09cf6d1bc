extension PushGuard {
    /// The guard's rule for a lease ref (`refs/giter/leases/<name>`), which
    /// no `spec.refs` needs to list: the new value is a readable lease
    /// record (``LeaseRecord``) written by a member of a consumer party
    /// (signed and pushed as the policy says for that member; with no
    /// policy, a commit whose role is consumer), and it either renews the
    /// current record (same holder, same generation) or takes it over
    /// (generation plus one). Deleting a lease ref is refused: an
    /// administrator deletes it on the server.
    func checkLease(_ update: RefUpdate, _ name: RemoteReferenceName) async throws -> [ContractViolation] {
        func refused(_ message: String) -> [ContractViolation] {
            [ContractViolation(commit: update.new ?? update.old, path: nil, rule: .fencing, message: "\(name): \(message)")]
        }
        guard let new = update.new else {
            return refused("deleting a lease by a push is refused; an administrator deletes it on the server")
        }
        guard let commit = try await reader.commits(from: new, excluding: nil, limit: 1).first else {
            return refused("\(new.short) is not a commit")
        }
        let record: LeaseRecord
        do {
            record = try LeaseRecord(commit: commit, reference: name)
        } catch {
            return refused(error.message)
        }
        if let problem = try await leaseWriterProblem(commit) { return refused(problem) }
        guard let old = update.old else { return [] }
        guard let previous = try await reader.commits(from: old, excluding: nil, limit: 1).first,
            let current = try? LeaseRecord(commit: previous, reference: name)
        else {
            // What stood there is no lease: any readable record replaces it.
            return []
        }
        if record.generation == current.generation && record.holder == current.holder { return [] }
        if record.generation == current.generation + 1 { return [] }
        return refused(
            "generation \(record.generation) by \(record.holder) neither renews generation \(current.generation) of "
                + "\(current.holder) nor takes it over (generation \(current.generation + 1))")
    }

    /// Why `commit`'s author may not write a lease; `nil` when it may.
    private func leaseWriterProblem(_ commit: CommitInfo) async throws -> String? {
        guard let tip = try await reader.resolve("refs/heads/\(branch)") else {
            return "the exchange branch \(branch) does not exist yet, so no contract says who may hold a lease"
        }
        var ledger = ExchangeLedger(reader: reader, state: ExchangeLedger.State(commit: tip))
        guard case .success(let contract) = try await ledger.contract() else {
            return "the contract in force cannot be read, so nobody may hold a lease"
        }
        let email = commit.author.email
        guard let policy = contract.policy else {
            return contract.roles.role(of: commit) == .consumer ? nil : "\(email) is not a consumer of this exchange"
        }
        var consumers = policy.parties(of: email).filter { $0.role == .consumer }
        guard !consumers.isEmpty else { return "\(email) is a member of no consumer party of \(ExchangePolicy.path)" }
        let pushers = Set(consumers.compactMap { $0.member(email: email) }.flatMap(\.pushers))
        if !pushers.isEmpty, !(pusher.map(pushers.contains) ?? false) {
            return "\(pusher ?? "an unnamed user") may not push \(email)'s lease (pushers: \(pushers.sorted().joined(separator: ", ")))"
        }
        if policy.requireSignatures {
            let verdict = try await ContractChecker(contract: contract, reader: reader).signatureVerdict(of: commit)
            if let problem = verdict.problem(author: email) { return problem }
            let signing = Set(verdict.signers(author: email).map(\.party))
            consumers = consumers.filter { signing.contains($0.name) }
            if consumers.isEmpty { return "the key that signed it belongs to no consumer party" }
        }
        return nil
    }

    /// The fencing rule at the server: a commit that carries a fencing
    /// token must carry the current generation of that lease as the server
    /// holds it (`leases` caches the records read during one push).
    func fencingViolations(of commit: CommitInfo, leases: inout [String: LeaseRecord?]) async throws
        -> [ContractViolation]
    {
        guard case .success(let tokens) = FencingToken.tokens(of: commit) else { return [] }  // the ledger reports it
        var violations: [ContractViolation] = []
        for token in tokens {
            if leases.index(forKey: token.lease) == nil {
                let name = try RemoteReferenceName.lease(token.lease)
                var record: LeaseRecord?
                if let id = try await reader.resolve(name.rawValue),
                    let info = try await reader.commits(from: id, excluding: nil, limit: 1).first
                {
                    record = try? LeaseRecord(commit: info, reference: name)
                }
                leases[token.lease] = .some(record)
            }
            let current = leases[token.lease] ?? nil
            guard let current, current.generation == token.generation else {
                let held = current.map { "generation \($0.generation), held by \($0.holder)" } ?? "no readable lease"
                violations.append(
                    ContractViolation(
                        commit: commit.id, path: nil, rule: .fencing,
                        message: "written under generation \(token.generation) of the lease \(token.lease), and the server "
                            + "holds \(held): only the lease's holder writes; fetch, and write again if this replica leads"))
                continue
            }
        }
        return violations
    }
}
