/// One ref a push moves, as git gives it to a `pre-receive` hook.
public struct RefUpdate: Sendable, Hashable {
    /// The ref's commit before the push; `nil` when the push creates it.
    public var old: ObjectID?
    /// The ref's commit after the push; `nil` when the push deletes it.
    public var new: ObjectID?
    /// The full ref name, such as `refs/heads/main`.
    public var name: String

    public init(old: ObjectID?, new: ObjectID?, name: String) {
        self.old = old
        self.new = new
        self.name = name
    }
}

/// The server side of the contract: what `giter guard pre-receive` asks
/// before git accepts a push.
///
/// The exchange branch only moves forward (or is rebased by a bundle
/// import, by the rule of ``ExchangeBundle/rebaseBase(from:to:reader:)``),
/// and every commit it gains is
/// judged by ``ExchangeLedger`` (the same check readers run), with the
/// pusher the server names. Exchange branches and their archives (see
/// ``ExchangeBranches``) follow the rules of
/// ``checkExchangeBranch(_:_:in:)`` and ``checkArchive(_:_:in:)``. Any
/// other ref is refused unless the policy in force on the branch lists it
/// under `spec.refs`.
public struct PushGuard: Sendable {
    let reader: any RepositoryReader
    let branch: String
    let pusher: String?

    /// A guard over the repository `reader` reads (objects in quarantine
    /// included), for the exchange branch `branch` (a short name, `main`).
    public init(reader: any RepositoryReader, branch: String, pusher: String?) {
        self.reader = reader
        self.branch = branch
        self.pusher = pusher
    }

    /// The violations that make git refuse the whole push; empty: accept.
    ///
    /// - Throws: when an object cannot be read; the hook then refuses the push.
    public func check(_ updates: [RefUpdate]) async throws -> [ContractViolation] {
        var violations: [ContractViolation] = []
        for update in updates {
            if update.name == "refs/heads/\(branch)" {
                violations += try await checkBranch(update)
            } else if let group = ExchangeGroup(reference: update.name) {
                violations +=
                    update.name.hasPrefix(ExchangeGroup.referencePrefix)
                    ? try await checkExchangeBranch(update, group, in: updates)
                    : try await checkArchive(update, group, in: updates)
            } else {
                violations += try await checkOtherRef(update)
            }
        }
        return violations
    }

    private func checkBranch(_ update: RefUpdate) async throws -> [ContractViolation] {
        guard let new = update.new else {
            return [ContractViolation(commit: update.old, path: nil, rule: .history, message: "deleting the exchange branch \(branch) is refused")]
        }
        var from = update.old
        var chain = try await ExchangeLedger.chain(from: new, to: update.old, reader: reader)
        if chain == nil, let old = update.old, let base = try await ExchangeBundle.rebaseBase(from: old, to: new, reader: reader) {
            // A bundle import's rebase: every commit it drops is written again after `base`, and judged from there.
            from = base
            chain = try await ExchangeLedger.chain(from: new, to: base, reader: reader)
        }
        guard let chain else {
            return [
                ContractViolation(
                    commit: new, path: nil, rule: .history,
                    message: "not a fast-forward of \(branch): the exchange branch is never rewritten; rebase onto \(update.old?.hex ?? "it")")
            ]
        }
        var commits = chain[...]
        var ledger: ExchangeLedger
        var violations: [ContractViolation] = []
        let push = ContractChecker.Push(user: pusher)
        if let old = from {
            ledger = ExchangeLedger(reader: reader, state: ExchangeLedger.State(commit: old))
        } else {
            // A new branch: its first commit is the exchange's anchor, as it is for a reader.
            guard let root = commits.popFirst() else { return [] }
            (ledger, violations) = try await ExchangeLedger.starting(at: root, reader: reader, push: push)
        }
        var leases: [String: LeaseRecord?] = [:]
        for commit in chain {
            violations += try await fencingViolations(of: commit, leases: &leases)
        }
        for commit in commits {
            violations += try await ledger.advance(over: commit, push: push)
        }
        return violations
    }

    private func checkOtherRef(_ update: RefUpdate) async throws -> [ContractViolation] {
        if update.name.hasPrefix(LocalValueName.namespace),
            let lease = try? RemoteReferenceName(underGiter: String(update.name.dropFirst(LocalValueName.namespace.count))),
            lease.leaseName != nil
        {
            return try await checkLease(update, lease)
        }
        if update.name.hasPrefix(ExchangeBundle.acknowledgementPrefix) {
            return try await checkAcknowledgement(update)
        }
        var allowed: [String] = []
        if let tip = try await reader.resolve("refs/heads/\(branch)") {
            var ledger = ExchangeLedger(reader: reader, state: ExchangeLedger.State(commit: tip))
            if case .success(let contract) = try await ledger.contract(), let policy = contract.policy {
                allowed = policy.refs
            }
        }
        guard allowed.contains(where: { Glob.matches($0, update.name) }) else {
            return [
                ContractViolation(
                    commit: update.new, path: nil, rule: .ref,
                    message: "\(update.name) is not the exchange branch \(branch), and the policy's spec.refs does not list it")
            ]
        }
        return []
    }

    /// A bundle's acknowledgement (`refs/giter/acks/<site>`, see
    /// ``ExchangeBundle``) may be deleted, or point at a commit of the
    /// exchange branch: it says how far another site has the branch, and
    /// only a commit on the branch can be that.
    private func checkAcknowledgement(_ update: RefUpdate) async throws -> [ContractViolation] {
        let site = String(update.name.dropFirst(ExchangeBundle.acknowledgementPrefix.count))
        guard (try? ExchangeBundle.checkSiteName(site)) != nil else {
            return [ContractViolation(commit: update.new, path: nil, rule: .ref, message: "\(update.name) does not name a site")]
        }
        guard let new = update.new else { return [] }
        if let tip = try await reader.resolve("refs/heads/\(branch)"),
            try await ExchangeLedger.chain(from: tip, to: new, reader: reader) != nil
        {
            return []
        }
        return [
            ContractViolation(
                commit: new, path: nil, rule: .ref,
                message: "\(update.name) must point at a commit of the exchange branch \(branch), and \(new.short) is not one")
        ]
    }
}
